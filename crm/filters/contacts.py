import django_filters

from crm.tags import TagsFilter
from nodestash.filtering import PrefixedIdFilter, ResourceFilterSet


class ContactFilterSet(ResourceFilterSet):
    email = django_filters.CharFilter(lookup_expr="icontains", help_text="Case-insensitive substring.")
    first_name = django_filters.CharFilter(lookup_expr="icontains", help_text="Case-insensitive substring.")
    last_name = django_filters.CharFilter(lookup_expr="icontains", help_text="Case-insensitive substring.")
    company_id = PrefixedIdFilter(prefix="co", field_name="company_id", help_text="Exact company id.")
    source = django_filters.CharFilter(help_text="Exact match.")
    tags = TagsFilter()
