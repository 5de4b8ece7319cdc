"""Helpers for CRM list tests: reading ids off responses and walking cursors."""


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["data"]]


def walk(api, path: str, params: dict | None = None, between_pages=None) -> list[str]:
    """Every id of a list, page by page; `between_pages(page_number)` runs before each next page."""
    params = dict(params or {})
    seen, page = [], 0
    while True:
        response = api.get(path, params)
        seen.extend(ids(response))
        cursor = response.json()["meta"]["pagination"]["next_cursor"]
        if cursor is None:
            return seen
        page += 1
        if between_pages:
            between_pages(page)
        params["cursor"] = cursor


def expected_order(rows: list[dict], field: str, descending: bool) -> list[str]:
    """The contract's order: by `field` (nulls last in both directions), then by id."""
    present = sorted((r for r in rows if r[field] is not None), key=lambda r: (r[field], r["id"]), reverse=descending)
    missing = sorted((r for r in rows if r[field] is None), key=lambda r: r["id"], reverse=descending)
    return [r["id"] for r in present + missing]
