"""Turn measurements into the printed table, the targets' verdicts and the result files."""

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.load import Measurement

RESULTS_DIR = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    api: Measurement
    floor: Measurement | None = None

    @property
    def ratio(self) -> float | None:
        return self.api.p50_ms / self.floor.p50_ms if self.floor else None


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    met: bool | None  # None: not measured in this run


def _p50(rows: dict[str, Row], name: str) -> float:
    return rows[name].api.p50_ms


def verdicts(rows: dict[str, Row], growth: dict[int, dict[str, Row]], query_counts: dict) -> list[Verdict]:
    found = []
    for name in ("list_25", "list_100_company", "get"):
        ratio = rows[name].ratio
        found.append(Verdict(f"{rows[name].label}: p50 ≤ 2x floor", f"{ratio:.2f}x", ratio <= 2))
    deep = _p50(rows, "deep_page") / _p50(rows, "list_25")
    found.append(Verdict("Deep cursor page: p50 ≤ 1.2x first page", f"{deep:.2f}x", deep <= 1.2))
    cf = _p50(rows, "cf_range") / _p50(rows, "list_25")
    found.append(Verdict("cf. range filter: p50 ≤ 2x plain list", f"{cf:.2f}x", cf <= 2))
    sizes = sorted(growth)
    small, large = sizes[0], sizes[-1]
    rise = growth[large][f"list_25@{large}"].api.p50_ms / growth[small][f"list_25@{small}"].api.p50_ms
    target = f"List p50 growth {small:,} → {large:,} contacts ≤ 1.3x"
    found.append(Verdict(target, f"{rise:.2f}x", rise <= 1.3))
    if large < 1_000_000:
        found.append(Verdict("List p50 growth 10,000 → 1,000,000 ≤ 1.3x", "not run (use --million)", None))
    unstable = [name for name, variants in query_counts.items() if len(set(variants.values())) > 1]
    found.append(
        Verdict(
            "SQL query count independent of page size and custom fields",
            "flat" if not unstable else "varies: " + ", ".join(unstable),
            not unstable,
        )
    )
    return found


def _ms(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def main_table(rows: dict[str, Row]) -> list[str]:
    lines = [
        "| Request | req/s | p50 ms | p99 ms | floor req/s | floor p50 ms | floor p99 ms | p50 ÷ floor | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows.values():
        api, floor = row.api, row.floor
        floor_cells = [f"{floor.rps:,.0f}", _ms(floor.p50_ms), _ms(floor.p99_ms)] if floor else ["-"] * 3
        ratio = f"{row.ratio:.2f}x" if row.ratio else "-"
        cells = [row.label, f"{api.rps:,.0f}", _ms(api.p50_ms), _ms(api.p99_ms), *floor_cells, ratio, str(api.non_2xx)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def growth_table(growth: dict[int, dict[str, Row]]) -> list[str]:
    sizes = sorted(growth)
    lines = [
        "| Request | "
        + " | ".join(f"p50 ms @ {size:,}" for size in sizes)
        + f" | growth {sizes[0]:,} → {sizes[-1]:,} |",
        "|---|" + "---:|" * (len(sizes) + 1),
    ]
    for kind, label in (("list_25", "Contacts list, limit 25"), ("cf_range", "cf. range filter")):
        p50s = [growth[size][f"{kind}@{size}"].api.p50_ms for size in sizes]
        lines.append(f"| {label} | " + " | ".join(_ms(p) for p in p50s) + f" | {p50s[-1] / p50s[0]:.2f}x |")
    return lines


def markdown(result: dict, rows, growth, found: list[Verdict]) -> str:
    machine = result["machine"]
    settings = result["settings"]
    lines = [
        f"# nodestash benchmark, {result['finished_at']}",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; {machine['os']}; "
        f"load average at start {machine['load_average_at_start']}, at end {machine['load_average_at_end']}.",
        f"Software: Python {machine['python']}, Django {machine['django']}, DRF {machine['djangorestframework']}, "
        f"psycopg {machine['psycopg']}, gunicorn {machine['gunicorn']}, {machine['postgresql']}, "
        f"Redis {machine['redis']}, {machine['wrk']}.",
        f"Load: wrk, {settings['connections']} connections; per request a {settings['warmup']:.0f} s warm-up, then "
        f"{settings['rounds']} interleaved rounds of {settings['duration']:.0f} s (medians shown); "
        f"gunicorn with {settings['workers']} sync workers for the API and the floor alike; "
        f"API: DEBUG off, Redis rate limiter on, workspace on the {settings['plan']} plan.",
        f"Data: {settings['contacts']:,} contacts in the measured workspace "
        f"(seeded in {settings['seed_seconds']:.0f} s).",
        "",
        *main_table(rows),
        "",
        "## Growth",
        "",
        *growth_table(growth),
        "",
        "## Targets",
        "",
        "| Target | Measured | Met |",
        "|---|---|---|",
        *(f"| {v.target} | {v.measured} | {'-' if v.met is None else 'yes' if v.met else 'no'} |" for v in found),
        "",
        "## SQL queries per request",
        "",
        "| Request | Variants (queries) |",
        "|---|---|",
        *(
            f"| {name} | " + ", ".join(f"{variant}: {count}" for variant, count in variants.items()) + " |"
            for name, variants in result["query_counts"].items()
        ),
        "",
    ]
    return "\n".join(lines)


def write_results(result: dict, rows, growth, found: list[Verdict], name: str = "latest") -> tuple[Path, Path]:
    RESULTS_DIR.mkdir(exist_ok=True)
    result = {
        **result,
        "requests": {key: asdict(row) for key, row in rows.items()},
        "growth": {str(size): {key: asdict(row) for key, row in by_name.items()} for size, by_name in growth.items()},
        "targets": [asdict(verdict) for verdict in found],
    }
    json_path, md_path = RESULTS_DIR / f"{name}.json", RESULTS_DIR / f"{name}.md"
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    md_path.write_text(markdown(result, rows, growth, found))
    return json_path, md_path
