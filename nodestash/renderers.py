"""Renders every API response in the contract's envelope (§1).

Views hand over one of four shapes and the renderer completes it with `meta.request_id`:
- a resource (`{"id", "type", "attributes"}`) or any other object → `{"data": …, "meta": …}`;
- a list page built by the paginator (`{"data": […], "meta": {"pagination": …}}`);
- a bare list (a list returned whole) → the list shape, with `has_more: false` and no cursor;
- an error built by the exception handler (`{"error": …}`).
A `None` body (204) renders as nothing.
"""

from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from nodestash.pagination import page_body
from nodestash.request_ids import current_request_id


def envelope(data) -> dict:
    is_complete = isinstance(data, dict) and ("error" in data or "data" in data)
    if is_complete:
        body = dict(data)
    elif isinstance(data, list):
        body = page_body(data, next_cursor=None)  # a list returned whole: the list shape of §1, one page
    else:
        body = {"data": data}
    body["meta"] = {"request_id": current_request_id(), **body.get("meta", {})}
    return body


class EnvelopeJSONRenderer(JSONRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return super().render(envelope(data), accepted_media_type, renderer_context)


class EnvelopeBrowsableAPIRenderer(BrowsableAPIRenderer):
    """DRF's HTML explorer; shows the same enveloped JSON a client receives."""

    def get_filter_form(self, data, view, request):
        # Filters are documented in the OpenAPI schema; the HTML filter form would run the
        # filterset without our unknown-parameter checks.
        return None
