"""The tenancy contract, checked by walking every model and every /v1 route.

A model or endpoint added tomorrow is held to the same rules with no edit here:
- every workspace-owned model keeps the fail-closed scoped manager as its default, an
  `unscoped` manager for deliberate cross-workspace work, and an unscoped base manager;
- every uniqueness rule includes the workspace, and every index and unique constraint leads
  with it (so the schema can be distributed by workspace);
- every API view under /v1 (signup and docs aside) goes through the tenancy base classes and
  declares its scope resource;
- the workspace context never outlives a request.
"""

import pytest
from django.apps import apps
from django.db import models
from django.db.models import F

from apikeys.models import ApiKey
from apikeys.permissions import ScopePermission
from apikeys.scopes import PUBLIC
from nodestash.viewsets import ResourceViewSet
from tests.routes import PUBLIC_API_PATHS, api_routes
from workspaces.tenancy.context import activate_workspace, current_workspace
from workspaces.tenancy.models import NoActiveWorkspace, WorkspaceOwnedModel, WorkspaceScopedManager
from workspaces.tenancy.views import WorkspaceViewSetMixin
from workspaces.views import WorkspaceAPIView, WorkspaceView

OWNED_MODELS = [
    model
    for model in apps.get_models()
    if issubclass(model, WorkspaceOwnedModel) and not model._meta.proxy and model._meta.managed
]

# Uniqueness that deliberately spans workspaces, with the reason.
GLOBAL_UNIQUE = {
    (ApiKey, "key_hash"): "a key is looked up by its hash before its workspace is known (contract §3)",
}

TENANT_VIEW_BASES = (WorkspaceViewSetMixin, WorkspaceAPIView)


def label(model) -> str:
    return model._meta.label


def expression_names(items) -> list[str]:
    """Field names of an index's or constraint's `fields` or (F-) expressions, in order."""
    names = []
    for item in items:
        if isinstance(item, str):
            names.append(item.removeprefix("-"))
        elif isinstance(item, F):
            names.append(item.name)
        else:
            inner = getattr(item, "expression", None) or next(iter(item.get_source_expressions()), None)
            names.extend(expression_names([inner]) if inner is not None else [repr(item)])
    return names


def leading_names(rule) -> list[str]:
    return expression_names(rule.fields) if rule.fields else expression_names(rule.expressions)


def is_relation_to_owned(field) -> bool:
    """A ForeignKey to another workspace-owned row keeps Django's own index on it: deleting the
    target makes Django find the referencing rows by that column alone (CASCADE / SET_NULL run
    `WHERE <fk>_id IN (…)` with no workspace), which would otherwise scan every tenant's rows.
    The row it points to is in the same workspace, so such an index stays workspace-local."""
    return field.is_relation and field.many_to_one and issubclass(field.related_model, WorkspaceOwnedModel)


def test_the_walk_finds_the_models():
    assert ApiKey in OWNED_MODELS


# -- managers ------------------------------------------------------------------------------


@pytest.mark.parametrize("model", OWNED_MODELS, ids=label)
def test_default_manager_is_the_scoped_one(model):
    assert isinstance(model._meta.default_manager, WorkspaceScopedManager)
    assert model._default_manager is model.objects


@pytest.mark.parametrize("model", OWNED_MODELS, ids=label)
def test_unscoped_and_base_managers_do_not_filter(model):
    assert type(model.unscoped) is models.Manager, "`unscoped` must be a plain manager, named for what it does"
    # Related-object access and deletion cascades go through the base manager: it must not raise.
    assert not isinstance(model._meta.base_manager, WorkspaceScopedManager)


def test_scoped_manager_raises_without_a_workspace(tenant, other_tenant):
    assert current_workspace() is None
    with pytest.raises(NoActiveWorkspace):
        list(ApiKey.objects.all())
    with pytest.raises(NoActiveWorkspace):
        ApiKey.objects.filter(name="Default key").exists()


RUNS = {
    "list": list,
    "len": len,
    "bool": bool,
    "iterate": lambda qs: next(iter(qs)),
    "index": lambda qs: qs[0],
    "get": lambda qs: qs.get(name="Default key"),
    "first": lambda qs: qs.first(),
    "count": lambda qs: qs.count(),
    "exists": lambda qs: qs.exists(),
    "aggregate": lambda qs: qs.aggregate(n=models.Count("id")),
    "values": lambda qs: list(qs.values_list("pk", flat=True)),
    "update": lambda qs: qs.update(name="changed"),
    "delete": lambda qs: qs.delete(),
    "as a subquery": lambda qs: ApiKey.unscoped.filter(pk__in=qs),
    "create": lambda qs: qs.create(name="sneaky"),
}


@pytest.mark.parametrize("run", RUNS.values(), ids=RUNS.keys())
def test_without_a_workspace_a_scoped_queryset_can_be_built_but_never_run(tenant, run):
    """Django builds querysets from the default manager before any workspace can be active
    (`ForeignKey.formfield()`, form classes at import), so building must work; running must not."""
    queryset = ApiKey.objects.using("default").filter(name="Default key").order_by("name").all()
    with pytest.raises(NoActiveWorkspace):
        run(queryset)
    assert ApiKey.unscoped.get(workspace=tenant.workspace).name == "Default key"
    assert ApiKey.unscoped.count() == 1


RELATIONS = [
    field
    for model in OWNED_MODELS
    for field in model._meta.local_fields
    if field.many_to_one and issubclass(field.related_model, WorkspaceOwnedModel)
]


@pytest.mark.parametrize("field", RELATIONS, ids=lambda field: f"{label(field.model)}.{field.name}")
def test_form_fields_for_relations_can_be_built_without_a_workspace(field):
    """The admin and ModelForm classes build these at import time; choices appear only inside a workspace."""
    form_field = field.formfield()
    with pytest.raises(NoActiveWorkspace):
        list(form_field.queryset)


def test_scoped_manager_filters_by_the_active_workspace(tenant, other_tenant):
    with activate_workspace(tenant.workspace):
        rows = list(ApiKey.objects.all())
    assert rows and {row.workspace_id for row in rows} == {tenant.workspace.pk}
    assert current_workspace() is None
    assert ApiKey.unscoped.filter(workspace=other_tenant.workspace).exists()


def test_an_empty_queryset_needs_no_workspace():
    assert list(ApiKey.objects.none()) == []


# -- uniqueness and indexes ----------------------------------------------------------------


@pytest.mark.parametrize("model", OWNED_MODELS, ids=label)
def test_every_unique_rule_includes_the_workspace(model):
    meta = model._meta
    for field in meta.local_concrete_fields:
        if field.unique and not field.primary_key:
            assert (model, field.name) in GLOBAL_UNIQUE, (
                f"{label(model)}.{field.name} is unique across workspaces; "
                "use a UniqueConstraint on (workspace, …) instead"
            )
    for together in meta.unique_together:
        assert together[0] == "workspace", f"{label(model)} unique_together {together} must lead with workspace"
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names = leading_names(constraint)
            assert names[:1] == ["workspace"], f"{label(model)} {constraint.name} must lead with workspace: {names}"


@pytest.mark.parametrize("model", OWNED_MODELS, ids=label)
def test_every_index_leads_with_the_workspace(model):
    meta = model._meta
    for index in meta.indexes:
        names = leading_names(index)
        assert names[:1] == ["workspace"], f"{label(model)} index {index.name} must lead with workspace: {names}"
    for together in meta.index_together if hasattr(meta, "index_together") else ():
        assert together[0] == "workspace"
    for field in meta.local_concrete_fields:
        if field.db_index and not field.primary_key and not field.unique and not is_relation_to_owned(field):
            pytest.fail(
                f"{label(model)}.{field.name} has a single-column index; "
                "set db_index=False and add a Meta index that leads with workspace"
            )


def test_the_global_unique_whitelist_is_still_needed():
    for model, name in GLOBAL_UNIQUE:
        assert model._meta.get_field(name).unique, f"{label(model)}.{name} is no longer unique: drop the entry"


# -- views ---------------------------------------------------------------------------------

TENANT_ROUTES = [route for route in api_routes() if route.template not in PUBLIC_API_PATHS]


def test_the_walk_finds_the_views():
    assert {"/v1/api-keys", "/v1/workspace"} <= {route.template for route in TENANT_ROUTES}


@pytest.mark.parametrize("route", TENANT_ROUTES, ids=str)
def test_every_api_view_goes_through_the_tenancy_base(route):
    cls = route.view_class
    assert cls is not None and issubclass(cls, TENANT_VIEW_BASES), (
        f"{route}: {getattr(cls, '__name__', route.callback)} must use WorkspaceViewSetMixin "
        "(ResourceViewSet) or WorkspaceAPIView"
    )
    assert route.scope_resource not in (None, PUBLIC), f"{route}: declare scope_resource"
    assert any(issubclass(permission, ScopePermission) for permission in cls.permission_classes), (
        f"{route}: ScopePermission was dropped from permission_classes"
    )
    if issubclass(cls, WorkspaceViewSetMixin):
        assert cls.model is not None and issubclass(cls.model, WorkspaceOwnedModel), f"{route}: model"
        assert cls.id_prefix, f"{route}: declare id_prefix"


@pytest.mark.parametrize("method", ["get_queryset", "get_object"])
def test_overriding_an_owned_method_fails_at_class_creation(method):
    with pytest.raises(TypeError, match=method):
        type("SneakyViewSet", (ResourceViewSet,), {method: lambda self: None, "__module__": __name__})


# -- the context never outlives a request ---------------------------------------------------


def test_context_is_cleared_after_a_request(tenant):
    seen = []
    original = WorkspaceView.get

    def spy(self, request):
        seen.append(current_workspace())
        return original(self, request)

    WorkspaceView.get = spy
    try:
        assert tenant.api.get("/v1/workspace").status_code == 200
    finally:
        WorkspaceView.get = original
    assert seen == [tenant.workspace]
    assert current_workspace() is None


def test_context_is_cleared_after_an_error(tenant, monkeypatch):
    def boom(self, request):
        assert current_workspace() == tenant.workspace
        raise RuntimeError("boom")

    monkeypatch.setattr(WorkspaceView, "get", boom)
    response = tenant.api.get("/v1/workspace")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "INTERNAL_ERROR"
    assert current_workspace() is None


def test_context_is_cleared_when_an_exception_escapes_the_view(tenant, monkeypatch):
    """Even an exception that escapes DRF's handler (here: from the renderer) must not leak the workspace."""

    def explode(*args, **kwargs):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr("nodestash.renderers.EnvelopeJSONRenderer.render", explode)
    tenant.api.client.raise_request_exception = False
    response = tenant.api.get("/v1/workspace")
    assert response.status_code == 500
    assert current_workspace() is None


def test_a_request_does_not_inherit_a_leftover_context(tenant, other_tenant, anon, monkeypatch):
    """A workspace left active on the thread by earlier code is neither seen by the request nor lost after it."""
    seen = []
    original = WorkspaceView.get

    def spy(self, request):
        seen.append(current_workspace())
        return original(self, request)

    monkeypatch.setattr(WorkspaceView, "get", spy)
    with activate_workspace(other_tenant.workspace):
        assert anon.get("/v1/workspace").status_code == 401
        assert tenant.api.get("/v1/workspace").json()["data"]["id"] == tenant.workspace.pk
        assert current_workspace() == other_tenant.workspace
    assert seen == [tenant.workspace]
