"""`make bench`: seed PostgreSQL, serve the API as in production, load it with wrk, compare
with the floor, and print (and save) the figures.

1. Recreates the benchmark database, migrates it and seeds one workspace per size (the
   measured one, `--contacts`, and the smaller growth sizes; `--million` adds 1,000,000).
2. Starts the API (gunicorn, DEBUG off, a fresh SECRET_KEY, Redis rate limiter on, workspaces
   on the enterprise plan) and the floor (`benchmarks/floor.py`) under the same gunicorn
   settings, each on its own loopback port.
3. Walks a cursor deep into the contacts, then measures each read on both apps, the growth
   requests on every size and the writes on the API: a warm-up, then `--rounds` interleaved
   rounds of `--duration` seconds each, keeping the median. The data is
   vacuumed, analyzed and checkpointed first, so no background work from the load competes.
4. Counts SQL queries per request (`benchmarks/query_counts.py`), prints the tables and the
   targets' verdicts, and writes `benchmarks/results/<name>.json` and `.md`.

Every server it starts is stopped when it ends, whatever happens.
"""

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import psycopg
import redis

from benchmarks import machine, report, scenarios
from benchmarks.floor import encode_cursor
from benchmarks.load import LoadSettings, Measurement, run_wrk
from benchmarks.report import Row
from benchmarks.scenarios import Fixtures, Scenario
from benchmarks.servers import gunicorn

ROOT = Path(__file__).resolve().parent.parent
API_PORT, FLOOR_PORT = 8461, 8462
SAMPLE_IDS = 1_000
WALK_PAGE = 100
QUERY_COUNTS = "import django; django.setup(); from benchmarks.query_counts import print_counts; print_counts()"
PLAN = "enterprise"  # the highest plan: no daily limit, a 500/s burst the load stays under


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000, help="measured workspace size (%(default)s)")
    parser.add_argument("--small", type=int, default=10_000, help="smallest size of the growth series (%(default)s)")
    parser.add_argument("--million", action="store_true", help="add a 1,000,000-contact workspace to the growth")
    parser.add_argument("--duration", type=int, default=4, help="seconds of load per request and round (%(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds, median kept (%(default)s)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per request (%(default)s)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (%(default)s)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per app (%(default)s)")
    parser.add_argument("--deep-rows", type=int, help="rows walked before the deep page (default: half)")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="server URL, no database")
    parser.add_argument("--database", default="nodestash_bench", help="recreated on every run (%(default)s)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7", help="REDIS_URL for the API (%(default)s)")
    parser.add_argument("--results-name", default="latest", help="benchmarks/results/<name>.json/.md")
    return parser.parse_args(argv)


def say(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args):
        self.args = args
        self.nonce = secrets.token_hex(4)
        self.database_url = f"{args.postgres}/{args.database}"
        self.env = {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": args.redis,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "TRUST_X_FORWARDED_PROTO": "1",  # behind a TLS proxy, as in production; wrk sends the header
            "CACHE_KEY_PREFIX": f"bench-{self.nonce}",  # fresh rate-limit counters every run
            "DJANGO_SETTINGS_MODULE": "nodestash.settings",
            "LOG_LEVEL": "WARNING",
        }
        self.load = LoadSettings(duration=args.duration, connections=args.connections, warmup=args.warmup)
        self.log_path = Path(tempfile.gettempdir()) / f"nodestash-bench-{self.nonce}.log"  # both servers' errors

    # -- setup ---------------------------------------------------------------------------

    def recreate_database(self) -> None:
        with psycopg.connect(f"{self.args.postgres}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.args.database}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{self.args.database}"')

    def checkpoint(self) -> None:
        """Write out the bulk load now, rather than in a checkpoint during the first measurements
        (needs a superuser or pg_checkpoint; skipped otherwise)."""
        try:
            with psycopg.connect(self.database_url, autocommit=True) as connection:
                connection.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:
            say("no privilege to CHECKPOINT: the first measurements may share the disk with one")

    def manage(self, *args: str) -> str:
        completed = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        return completed.stdout

    def seed(self, size: int) -> tuple[str, str, float]:
        """(workspace id, key, seconds) of a new workspace with `size` contacts."""
        say(f"seeding {size:,} contacts")
        started = time.monotonic()
        output = self.manage("seed_workspace", "--contacts", str(size), "--name", f"Benchmark {size}", "--plan", PLAN)
        values = dict(line.split("=", 1) for line in output.split() if "=" in line)
        return values["workspace"], values["key"], time.monotonic() - started

    def sample(self, workspace_id: str) -> tuple[list[str], str]:
        """(contact ids spread over the workspace, a company id)."""
        with psycopg.connect(self.database_url) as connection:
            contact_ids = [
                row[0]
                for row in connection.execute(
                    "SELECT id FROM crm_contact WHERE workspace_id = %s ORDER BY md5(id) LIMIT %s",
                    (workspace_id, SAMPLE_IDS),
                )
            ]
            company = connection.execute("SELECT id FROM crm_company WHERE workspace_id = %s LIMIT 1", (workspace_id,))
            return contact_ids, company.fetchone()[0]

    def versions(self) -> tuple[str, str]:
        with psycopg.connect(self.database_url) as connection:
            postgres = "PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0]
        return postgres, redis.Redis.from_url(self.args.redis).info("server")["redis_version"]

    # -- requests ------------------------------------------------------------------------

    def fetch(self, base_url: str, key: str, path: str, method: str = "GET", body: bytes | None = None):
        request = urllib.request.Request(
            base_url + path,
            data=body,
            method=method,
            headers={
                "Authorization": f"Bearer {key}",
                "X-Forwarded-Proto": "https",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # raises on 4xx/5xx
            return json.loads(response.read() or b"null")

    def walk(self, api_url: str, key: str, rows: int) -> tuple[str, str]:
        """Follow next_cursor for `rows` rows; (API cursor, floor cursor) to the page after them."""
        say(f"walking the cursor {rows:,} rows deep")
        cursor, seen, last = None, 0, None
        while seen < rows:
            path = f"/v1/contacts?limit={min(WALK_PAGE, rows - seen)}" + (f"&cursor={quote(cursor)}" if cursor else "")
            page = self.fetch(api_url, key, path)
            seen += len(page["data"])
            last, cursor = page["data"][-1]["attributes"], page["meta"]["pagination"]["next_cursor"]
        return cursor, encode_cursor(last["created_at"], last["id"], self.env["SECRET_KEY"].encode())

    def check(self, base_url: str, key: str, scenario: Scenario, paths: list[str]) -> None:
        """One request first: a misconfiguration fails loudly instead of measuring error pages."""
        body = scenario.body_template.replace("{n}", f"check-{self.nonce}").encode() if scenario.body else None
        try:
            self.fetch(base_url, key, paths[0], scenario.mode.upper(), body)
        except urllib.error.HTTPError as error:
            detail = error.read()[:500].decode(errors="replace")
            raise SystemExit(
                f"{scenario.name} on {base_url}: HTTP {error.code}: {detail} (server log: {self.log_path})"
            ) from None

    def measure(self, base_url: str, key: str, scenario: Scenario, paths: list[str], round_number: int):
        if round_number == 0:
            self.check(base_url, key, scenario, paths)
        common = {
            "key": key,
            "paths": paths,
            "mode": scenario.mode,
            "body": scenario.body_template,
            "settings": self.load,
        }
        if round_number == 0:
            run_wrk(base_url, nonce=f"{self.nonce}w-{scenario.name}", duration=self.load.warmup, **common)
        result = run_wrk(base_url, nonce=f"{self.nonce}-{round_number}-{scenario.name}", **common)
        say(f"{scenario.name:<18} {base_url[-4:]}  {result.rps:8.0f} req/s  p50 {result.p50_ms:7.2f} ms")
        return result

    def measure_rows(self, scenarios_, key: str, api_url: str, floor_url: str | None = None) -> dict[str, Row]:
        """Each scenario on the API (and the floor) in interleaved rounds; the median of the rounds
        is kept, so a burst of other work on the machine weighs on every request alike."""
        api, floor = defaultdict(list), defaultdict(list)
        for round_number in range(self.args.rounds):
            for scenario in scenarios_:
                api[scenario.name].append(self.measure(api_url, key, scenario, scenario.paths, round_number))
                if floor_url and scenario.floor_paths:
                    floor[scenario.name].append(
                        self.measure(floor_url, key, scenario, scenario.floor_paths, round_number)
                    )
        return {
            s.name: Row(s.name, s.label, Measurement.median(api[s.name]), Measurement.median(floor[s.name]))
            for s in scenarios_
        }

    def query_counts(self) -> dict:
        say("counting SQL queries per request")
        completed = subprocess.run(
            [sys.executable, "-c", QUERY_COUNTS],
            cwd=ROOT,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(completed.stdout.strip().splitlines()[-1])

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> int:
        args = self.args
        if shutil.which("wrk") is None:
            raise SystemExit("wrk is not installed: `apt-get install -y wrk` (make bench does it for you).")
        started = datetime.now(UTC)
        load_at_start = [round(value, 2) for value in os.getloadavg()]
        say(f"recreating database {args.database}")
        self.recreate_database()
        self.manage("migrate", "--no-input", "-v0")
        sizes = sorted({args.small, args.contacts, *([1_000_000] if args.million else [])})
        tenants = {size: self.seed(size) for size in sizes}
        self.checkpoint()
        workspace_id, key, seed_seconds = tenants[args.contacts]
        contact_ids, company_id = self.sample(workspace_id)
        postgres_version, redis_version = self.versions()
        with ExitStack() as servers:
            api_url = servers.enter_context(
                gunicorn("nodestash.wsgi", port=API_PORT, workers=args.workers, env=self.env, log_path=self.log_path)
            )
            floor_url = servers.enter_context(
                gunicorn("benchmarks.floor:application", port=FLOOR_PORT, workers=args.workers, env=self.env,
                         log_path=self.log_path)
            )  # fmt: skip
            deep_rows = args.deep_rows or args.contacts // 2
            api_cursor, floor_cursor = self.walk(api_url, key, deep_rows)
            fx = Fixtures(contact_ids, company_id, deep_rows, api_cursor, floor_cursor)
            rows = self.measure_rows(scenarios.reads(fx), key, api_url, floor_url)
            # Every size back to back (the measured one again too), so they share conditions.
            growth = {size: self.measure_rows(scenarios.growth(size), tenants[size][1], api_url) for size in sizes}
            rows |= self.measure_rows(scenarios.writes(fx), key, api_url)
        counts = self.query_counts()
        found = report.verdicts(rows, growth, counts)
        result = {
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine.describe(postgres_version, redis_version, load_at_start),
            "settings": {
                "contacts": args.contacts,
                "growth_sizes": sizes,
                "seed_seconds": seed_seconds,
                "duration": args.duration,
                "rounds": args.rounds,
                "warmup": args.warmup,
                "connections": args.connections,
                "workers": args.workers,
                "plan": PLAN,
                "deep_rows": deep_rows,
            },
            "query_counts": counts,
        }
        json_path, md_path = report.write_results(result, rows, growth, found, args.results_name)
        print(md_path.read_text())
        say(f"results: {json_path.relative_to(ROOT)}, {md_path.relative_to(ROOT)}")
        return 0


def main(argv=None) -> int:
    return Bench(parse_args(argv)).run()


if __name__ == "__main__":
    sys.exit(main())
