"""Query-string checks shared by every endpoint (contract §2, §5).

Unknown parameters are a 400 naming the parameter (a typo must not silently return
everything); so are repeated parameters and names or values with NUL characters or invalid UTF-8.
"""

from django.http import QueryDict

from nodestash.errors import validation_error

# Parameters accepted on every endpoint. Empty: DRF's `?format=` switch is off
# (URL_FORMAT_OVERRIDE = None; browsers get the browsable API through `Accept`), so `format`
# is as unknown as any other name and a 400, rather than accepted and silently ignored.
GLOBAL_PARAMS: frozenset[str] = frozenset()


# Django decodes a query string with errors="replace": invalid UTF-8 arrives as U+FFFD.
UNSTORABLE = ("\x00", "\ufffd")


def check_query_params(query: QueryDict, allowed: frozenset[str] | set[str], prefixes: tuple[str, ...] = ()) -> None:
    for name, values in query.lists():
        if any(char in text for char in UNSTORABLE for text in (name, *values)):
            shown = "".join(char for char in name if char not in UNSTORABLE)[:100]
            raise validation_error(shown, "Query parameters must be valid UTF-8 without NUL characters.")
        if name not in allowed and name not in GLOBAL_PARAMS and not name.startswith(prefixes or ("\x00",)):
            raise validation_error(name[:100], f"Unknown query parameter '{name[:100]}'.")
        if len(values) > 1:
            raise validation_error(name[:100], f"Query parameter '{name[:100]}' is given more than once.")


def parse_includes(raw: str | None, allowed: tuple[str, ...]) -> frozenset[str]:
    if raw is None:
        return frozenset()
    names = [part.strip() for part in raw.split(",")]
    for name in names:
        if name not in allowed:
            options = ", ".join(allowed) if allowed else "nothing"
            raise validation_error("include", f"Cannot include '{name[:64]}'. Allowed: {options}.")
    return frozenset(names)
