"""Walks the URL configuration so contract tests cover every route, including ones added later.

`api_routes()` lists each `/v1` route with its view class and the HTTP methods it answers, with
path parameters filled in by well-formed fake ids (scope and auth checks come before lookups).
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from nodestash.ids import ID_RANDOM_LENGTH

API_PREFIX = "/v1/"
# The only /v1 routes served without a key (everything else is workspace data or settings).
PUBLIC_API_PATHS = frozenset({"/v1/signup", "/v1/openapi.json"})
IGNORED_METHODS = {"head", "options", "trace"}
ROUTE_PARAM = re.compile(r"<(?:[^>:]+:)?([^>]+)>")
REGEX_PARAM = re.compile(r"\(\?P<([^>]+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    pattern: str  # as written in the URL configuration, e.g. "/v1/^api-keys/(?P<pk>[^/]+)/rotate$"
    template: str  # readable, e.g. "/v1/api-keys/{pk}/rotate"
    path: str  # a concrete path with fake ids
    callback: object
    view_class: type | None
    methods: tuple[str, ...]  # upper-case

    @property
    def scope_resource(self) -> str | None:
        """The view's scope resource; an `@action(scope_resource=…)` overrides the class's."""
        initkwargs = getattr(self.callback, "initkwargs", {})
        return initkwargs.get("scope_resource", getattr(self.view_class, "scope_resource", None))

    def __str__(self) -> str:
        return self.template


def fake_id(view_class) -> str:
    prefix = getattr(view_class, "id_prefix", "") or "zz"
    return f"{prefix}_{'0' * ID_RANDOM_LENGTH}"


def _walk(patterns, prefix: str):
    for entry in patterns:
        text = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + text)
        elif isinstance(entry, URLPattern):
            yield prefix + text, entry.callback


def _template(pattern: str) -> str:
    path = pattern.replace("^", "").replace("$", "").replace("\\.", ".")
    path = REGEX_PARAM.sub(lambda match: f"{{{match[1]}}}", path)
    return ROUTE_PARAM.sub(lambda match: f"{{{match[1]}}}", path)


def _methods(callback, view_class) -> tuple[str, ...]:
    actions = getattr(callback, "actions", None)
    names = actions or [name for name in view_class.http_method_names if hasattr(view_class, name)]
    return tuple(sorted(name.upper() for name in names if name not in IGNORED_METHODS))


def api_routes() -> list[Route]:
    routes = []
    for pattern, callback in _walk(get_resolver().url_patterns, "/"):
        if not pattern.startswith(API_PREFIX):
            continue
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        template = _template(pattern)
        path = re.sub(r"\{[^}]+\}", fake_id(view_class), template)
        methods = _methods(callback, view_class) if view_class else ()
        routes.append(Route(pattern, template, path, callback, view_class, methods))
    return routes
