import django_filters

from crm.models import StageType
from crm.tags import TagsFilter
from nodestash.filtering import PrefixedIdFilter, ResourceFilterSet


class DealFilterSet(ResourceFilterSet):
    pipeline_id = PrefixedIdFilter(prefix="pp", field_name="pipeline_id", help_text="Exact pipeline id.")
    stage_id = PrefixedIdFilter(prefix="ps", field_name="stage_id", help_text="Exact stage id.")
    contact_id = PrefixedIdFilter(prefix="ct", field_name="contact_id", help_text="Exact contact id.")
    company_id = PrefixedIdFilter(prefix="co", field_name="company_id", help_text="Exact company id.")
    status = django_filters.ChoiceFilter(
        choices=StageType.choices, field_name="stage__type", help_text="The type of the deal's stage."
    )
    min_value = django_filters.NumberFilter(field_name="value", lookup_expr="gte", help_text="value ≥ this.")
    max_value = django_filters.NumberFilter(field_name="value", lookup_expr="lte", help_text="value ≤ this.")
    tags = TagsFilter()
