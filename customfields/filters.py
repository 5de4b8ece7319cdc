"""Filters of the custom field definitions list."""

import django_filters

from customfields.models import CustomFieldDefinition, EntityType
from nodestash.filtering import ResourceFilterSet


class CustomFieldDefinitionFilterSet(ResourceFilterSet):
    entity_type = django_filters.ChoiceFilter(choices=EntityType.choices)

    class Meta:
        model = CustomFieldDefinition
        fields = ["entity_type"]
