import django_filters

from crm.models import ActivityType
from crm.tags import TagsFilter
from nodestash.filtering import PrefixedIdFilter, ResourceFilterSet, StrictBooleanFilter


class ActivityFilterSet(ResourceFilterSet):
    type = django_filters.ChoiceFilter(choices=ActivityType.choices, help_text="Exact type.")
    contact_id = PrefixedIdFilter(prefix="ct", field_name="contact_id", help_text="Exact contact id.")
    company_id = PrefixedIdFilter(prefix="co", field_name="company_id", help_text="Exact company id.")
    deal_id = PrefixedIdFilter(prefix="dl", field_name="deal_id", help_text="Exact deal id.")
    is_done = StrictBooleanFilter(help_text="`true` or `false`.")
    tags = TagsFilter()
