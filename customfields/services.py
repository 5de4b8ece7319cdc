"""Writes for custom field definitions. Every write takes `workspace=` (or an instance of it)
and runs in a transaction; creating locks the workspace row so the per-entity-type cap and
the default `display_order` hold under concurrent requests."""

from django.db import IntegrityError, transaction
from django.db.models import Max

from customfields.models import CustomFieldDefinition
from nodestash.errors import Conflict
from workspaces.models import Workspace

MAX_DEFINITIONS_PER_ENTITY_TYPE = 200


def _slug_conflict(entity_type: str, slug: str) -> Conflict:
    return Conflict(
        f"A custom field with slug '{slug}' already exists for entity type '{entity_type}' in this workspace."
    )


@transaction.atomic
def definition_create(
    *,
    workspace,
    entity_type: str,
    name: str,
    slug: str,
    field_type: str,
    description: str | None = None,
    is_required: bool = False,
    options: list[str] | None = None,
    display_order: int | None = None,
) -> CustomFieldDefinition:
    Workspace.objects.select_for_update().get(pk=workspace.pk)
    siblings = CustomFieldDefinition.unscoped.filter(workspace=workspace, entity_type=entity_type)
    if siblings.count() >= MAX_DEFINITIONS_PER_ENTITY_TYPE:
        raise Conflict(f"A workspace can have at most {MAX_DEFINITIONS_PER_ENTITY_TYPE} custom fields per entity type.")
    if siblings.filter(slug=slug).exists():
        raise _slug_conflict(entity_type, slug)
    if display_order is None:
        highest = siblings.aggregate(highest=Max("display_order"))["highest"]
        display_order = 0 if highest is None else highest + 1
    try:
        with transaction.atomic():
            return CustomFieldDefinition.unscoped.create(
                workspace=workspace,
                entity_type=entity_type,
                name=name,
                slug=slug,
                field_type=field_type,
                description=description,
                is_required=is_required,
                options=options,
                display_order=display_order,
            )
    except IntegrityError:
        raise _slug_conflict(entity_type, slug) from None


UPDATABLE = frozenset({"name", "description", "is_required", "options", "display_order"})


@transaction.atomic
def definition_update(*, definition: CustomFieldDefinition, changes: dict) -> CustomFieldDefinition:
    """Change the mutable attributes; removing an option that a value still uses is a 409."""
    definition = CustomFieldDefinition.unscoped.select_for_update().get(pk=definition.pk)
    for name, value in changes.items():
        if name not in UPDATABLE:
            raise ValueError(f"{name} cannot be changed")
        setattr(definition, name, value)
    definition.save()
    return definition


@transaction.atomic
def definition_delete(*, definition: CustomFieldDefinition) -> None:
    """Deletes the definition and, by cascade, every value of it."""
    definition.delete()
