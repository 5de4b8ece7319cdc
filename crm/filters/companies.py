import django_filters

from crm.tags import TagsFilter
from nodestash.filtering import ResourceFilterSet


class CompanyFilterSet(ResourceFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", help_text="Case-insensitive substring.")
    domain = django_filters.CharFilter(lookup_expr="icontains", help_text="Case-insensitive substring.")
    industry = django_filters.CharFilter(lookup_expr="icontains", help_text="Case-insensitive substring.")
    size = django_filters.CharFilter(help_text="Exact match.")
    tags = TagsFilter()
