"""Filter sets for list endpoints (contract §5), built on django-filter.

`ResourceFilterSet` gives every list the timestamp window filters; resources add their own.
`created_after`/`updated_after` are inclusive and `*_before` exclusive, so windows tile.
Values are validated by form fields, so a bad value is a 400 naming the parameter.
"""

from datetime import UTC

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from nodestash.ids import is_valid_id


def literal_form_error(message: str) -> forms.ValidationError:
    """A form error whose message is shown as is. django-filter renders `message % params`, so
    a message quoting the client's value (`'100%'`) must travel as a parameter, not as the format."""
    return forms.ValidationError("%(message)s", params={"message": message})


class PrefixedIdFormField(forms.CharField):
    def __init__(self, *args, prefix: str, **kwargs):
        self.prefix = prefix
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and not is_valid_id(value, self.prefix):
            raise literal_form_error(f"'{value[:64]}' is not a valid {self.prefix}_ id.")
        return value


class PrefixedIdFilter(django_filters.CharFilter):
    """Exact match on a prefixed id; a malformed id is a 400, a foreign one matches nothing."""

    field_class = PrefixedIdFormField

    def __init__(self, *args, prefix: str, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)


@extend_schema_field({"type": "boolean"})  # documented as a boolean enum of strings before (fuzzer)
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """`true` or `false` and nothing else (django-filter's own widget ignores bad values)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)


class UtcDateTimeFormField(IsoDateTimeField):
    """An ISO datetime, converted to UTC while validating: a value whose UTC form leaves years
    1-9999 (`0001-01-01T00:00:00+01:00`) is a 400 here rather than an overflow in the database
    adapter (a 500 on SQLite)."""

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("Datetime value out of range.") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 datetime filter; see `UtcDateTimeFormField`."""

    field_class = UtcDateTimeFormField


TYPED_FILTERS = (
    PrefixedIdFilter,
    django_filters.IsoDateTimeFilter,
    django_filters.NumberFilter,
    django_filters.ChoiceFilter,
    django_filters.BooleanFilter,
)


class ResourceFilterSet(django_filters.FilterSet):
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = UtcDateTimeFilter(field_name="updated_at", lookup_expr="lt")

    def is_valid(self) -> bool:
        """Also refuses a typed filter (id, datetime, number, choice) sent empty (`?company_id=`):
        django-filter skips it, which silently answered the whole list to a client whose variable
        happened to be empty. Text filters keep "empty matches everything" (substring of "")."""
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if isinstance(filter_, TYPED_FILTERS) and self.data.get(name) == "":
                self.form.add_error(name, "Must not be empty; leave the parameter out to not filter by it.")
                valid = False
        return valid


def filter_queryset(filterset_class, params, queryset, request=None):
    """Apply a filter set; invalid values become a VALIDATION_ERROR naming the parameter."""
    filterset = filterset_class(data=params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs
