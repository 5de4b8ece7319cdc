"""The tenancy core: everything that keeps one workspace's data away from another's.

- `context`: the current workspace of this request (set by authentication, reset after).
- `models`: the abstract workspace-owned model and its fail-closed scoped manager.
- `principal`: who is calling: workspace, scopes, key or user.
- `views`: the viewset mixin that owns queryset scoping and object lookup.
- `fields`: serializer relation fields that resolve ids only inside the workspace.
"""
