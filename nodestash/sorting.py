"""The `sort` query parameter (contract §5): parsing and the matching ORDER BY.

`sort=-value,created_at` → SortField("value", descending=True), SortField("created_at").
`id` always breaks ties, in the direction of the last sort field (so one composite index
can serve the whole ORDER BY), and nulls sort last in both directions.
"""

from dataclasses import dataclass

from django.db.models import F

from nodestash.errors import validation_error

DEFAULT_SORT = "-created_at"


@dataclass(frozen=True)
class SortField:
    name: str
    descending: bool = False

    def order_expression(self, nullable: bool):
        expression = F(self.name)
        if self.descending:
            return expression.desc(nulls_last=True) if nullable else expression.desc()
        return expression.asc(nulls_last=True) if nullable else expression.asc()


@dataclass(frozen=True)
class SortSpec:
    fields: tuple[SortField, ...]

    @property
    def key(self) -> str:
        """Canonical text of the sort; a cursor is valid only for the same key."""
        return ",".join(f"{'-' if f.descending else ''}{f.name}" for f in self.fields)

    @property
    def with_tiebreak(self) -> tuple[SortField, ...]:
        return (*self.fields, SortField("id", self.fields[-1].descending))

    def apply(self, queryset):
        meta = queryset.model._meta
        return queryset.order_by(*(f.order_expression(meta.get_field(f.name).null) for f in self.with_tiebreak))


def parse_sort(raw: str | None, allowed: tuple[str, ...], default: str = DEFAULT_SORT) -> SortSpec:
    text = default if raw is None else raw
    fields: list[SortField] = []
    for part in text.split(","):
        part = part.strip()
        name = part.removeprefix("-")
        if name not in allowed:
            shown = part[:64] or "(empty)"
            raise validation_error("sort", f"Cannot sort by '{shown}'. Allowed: {', '.join(allowed)}.")
        if any(f.name == name for f in fields):
            raise validation_error("sort", f"'{name}' appears more than once.")
        fields.append(SortField(name, part.startswith("-")))
    return SortSpec(tuple(fields))
