"""Serializer relation fields that resolve ids only inside the request's workspace.

A malformed id is a 400 (VALIDATION_ERROR); a well-formed id that does not exist in this
workspace (including one that exists in another) is a 422 (UNPROCESSABLE_ENTITY), so the
two cases cannot be told apart. Never let DRF build relation fields from a default manager.
"""

from rest_framework import serializers

from nodestash.errors import UnprocessableEntity
from nodestash.ids import is_valid_id


class WorkspaceRelatedField(serializers.RelatedField):
    """`company_id` and friends: reads and writes the related object's prefixed id."""

    default_error_messages = {"malformed": "'{value}' is not a valid {label} id."}

    def __init__(self, model, prefix: str, **kwargs):
        self.related_model = model
        self.prefix = prefix
        kwargs.setdefault("queryset", None)
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.related_model.unscoped.filter(workspace=self.context["workspace"])

    def use_pk_only_optimization(self):
        return True

    def to_internal_value(self, data):
        label = self.related_model._meta.verbose_name
        if not is_valid_id(data, self.prefix):
            self.fail("malformed", value=str(data)[:64], label=label)
        instance = self.get_queryset().filter(pk=data).first()
        if instance is None:
            raise UnprocessableEntity(f"{label.capitalize()} '{data}' not found.")
        return instance

    def to_representation(self, value):
        return value.pk

    def get_choices(self, cutoff=None):
        # Never enumerate the table (the browsable API would list every row).
        return {}
