"""Where one request's CPU time goes, in-process (no server, no network):

    DATABASE_URL=postgres://…/nodestash_bench .venv/bin/python -m benchmarks.profile \\
        --key nds_live_… "/v1/contacts?limit=25" [--repeat 50] [--sort tottime]

Prints the CPU milliseconds per request without the profiler, then cProfile's table (timed
with CPU time, so waiting on the database or on other processes does not count). Settings are
production's: DEBUG off (so no query log), with a throwaway SECRET_KEY unless one is set.
"""

import argparse
import cProfile
import os
import pstats
import secrets
import time


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="request path with its query string")
    parser.add_argument("--key", required=True, help="an API key of the workspace to read")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (%(default)s)")
    parser.add_argument("--lines", type=int, default=40)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nodestash.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    import django

    django.setup()
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {args.key}")
    for _ in range(3):  # warm: connections, the key's last_used_at write, lazy imports
        response = client.get(args.path, secure=True)
        if response.status_code >= 300:
            raise SystemExit(f"{args.path}: HTTP {response.status_code} {response.content[:300]!r}")
    started = time.process_time()
    for _ in range(args.repeat):
        client.get(args.path, secure=True)
    print(f"{(time.process_time() - started) / args.repeat * 1000:.2f} ms CPU per request, {args.path}")
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(args.repeat):
        client.get(args.path, secure=True)
    profiler.disable()
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    main()
