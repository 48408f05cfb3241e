"""CPU per uncached request of distinct addresses, in-process (not collected by pytest).

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python tests/bench/profile_page.py place
    DATABASE_URL=postgres://…/portal_bench python tests/bench/profile_page.py search --count 300
    python tests/bench/profile_page.py place --profile tests/bench/profiles/place-after.txt
    python tests/bench/profile_page.py api-place --explain      # PostgreSQL: EXPLAIN ANALYZE

Kinds: `place` (place pages), `tie` (tie pages), `api-place` and `api-tie` (API details),
`search` (the search page with real names in every script, and the broad "Sawa").
Production settings (DEBUG off, cached templates), the page cache off (every request is
rendered), a database filled by `generate_synthetic` (the `make bench` set). Each address is
requested once: the process time (CPU, whatever the machine's load), the wall time, the
number of queries and the time spent in them are printed as median / 90th percentile / max.

`--profile FILE` writes a cProfile text profile of one more request (cumulative and own
time), with its queries and their durations; `--explain` adds PostgreSQL's
`EXPLAIN ANALYZE` of every query of that request that took over a millisecond.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchangeportal.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("DJANGO_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_HSTS_SECONDS", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
os.environ.setdefault("API_THROTTLE_ANON", "off")
os.environ.setdefault("API_THROTTLE_USER", "off")
os.environ.setdefault("CACHE_URL", "dummy://")
if not (ROOT / "staticfiles" / "staticfiles.json").exists():
    os.environ.setdefault("DJANGO_STATIC_MANIFEST", "0")  # no collectstatic run yet

import django  # noqa: E402

django.setup()

from addresses import KINDS, addresses  # noqa: E402  (tests/bench/addresses.py)
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from exchangeportal.infra import cache as page_cache  # noqa: E402


class QueryTimer:
    """Counts the queries run through the connection and the time spent in them."""

    def __init__(self, keep: bool = False):
        self.count, self.seconds, self.keep, self.queries = 0, 0.0, keep, []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            self.count += 1
            self.seconds += took
            if self.keep:
                self.queries.append((took, sql, params))


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
    return f"median {statistics.median(ordered):.2f}, p90 {p90:.2f}, max {ordered[-1]:.2f}"


def explain(queries) -> str:
    out = []
    with connection.cursor() as cursor:
        for took, sql, params in queries:
            if took < 0.001 or not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            out.append(f"-- {took * 1000:.2f} ms\n{sql}\n{plan}\n")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--profile", type=Path, help="write a text profile of one request here")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE (PostgreSQL)")
    parser.add_argument("--path", help="profile this address instead of the last one of the walk")
    args = parser.parse_args()

    page_cache.local_pages = page_cache._LocalPages(size=0)
    paths = addresses(args.kind, args.count + 6, args.seed)
    warm, paths, profiled = paths[:5], paths[5:-1], args.path or paths[-1]
    client = Client()
    for path in warm:  # imports, compiled templates, URL resolvers, content types
        client.get(path)
    cpu, wall, counts, sql = [], [], [], []
    statuses: dict[int, int] = {}
    for path in paths:
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(path)
            cpu.append((time.process_time() - cpu_started) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        counts.append(timer.count)
        sql.append(timer.seconds * 1000)
    print(f"{connection.vendor}, {args.kind}: {len(paths)} distinct addresses, statuses {statuses}")
    print(f"  CPU of this process, ms: {summary(cpu)}")
    print(f"  wall, ms:                {summary(wall)}")
    print(f"  in queries, ms:          {summary(sql)}")
    print(f"  queries:                 median {statistics.median(counts):g}, max {max(counts)}")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    if args.profile:
        timer = QueryTimer(keep=True)
        profiler = cProfile.Profile()
        with connection.execute_wrapper(timer):
            cpu_started = time.process_time()
            profiler.enable()
            response = client.get(profiled)
            profiler.disable()
            took = (time.process_time() - cpu_started) * 1000
        text = io.StringIO()
        text.write(
            f"# {profiled} ({connection.vendor}): status {response.status_code}, "
            f"{len(response.content)} bytes, {took:.1f} ms CPU under cProfile, "
            f"{timer.count} queries, {timer.seconds * 1000:.1f} ms in them\n"
            f"# uncached (page cache off), production settings; "
            f"`python tests/bench/profile_page.py {args.kind} --profile …`\n\n"
        )
        text.write("## Queries (ms, SQL)\n\n")
        for seconds, query, _params in timer.queries:
            text.write(f"{seconds * 1000:8.2f}  {query[:400]}\n")
        for order, limit in (("cumulative", 60), ("tottime", 40)):
            text.write(f"\n## By {order} time (top {limit})\n\n")
            stats = pstats.Stats(profiler, stream=text)
            stats.strip_dirs().sort_stats(order).print_stats(limit)
        if args.explain and connection.vendor == "postgresql":
            text.write("\n## EXPLAIN ANALYZE of the queries over 1 ms\n\n")
            text.write(explain(timer.queries))
        args.profile.parent.mkdir(parents=True, exist_ok=True)
        args.profile.write_text(text.getvalue(), encoding="utf-8")
        print(f"  profile of {profiled} written to {args.profile}")
    elif args.explain and connection.vendor == "postgresql":
        timer = QueryTimer(keep=True)
        with connection.execute_wrapper(timer):
            client.get(profiled)
        print(explain(timer.queries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
