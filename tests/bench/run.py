"""`make bench`: load-test the portal against the framework ceiling (not collected by pytest).

    make bench                                   # SQLite file under tests/bench/work/
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench make bench
    .venv/bin/python tests/bench/run.py --duration 5 --runs 1     # a quicker look
    .venv/bin/python tests/bench/run.py --cold-only --skip-import # only the cold targets

Steps (see tests/bench/README.md):
1. the synthetic set (20,000 places, 100,000 ties, 200,000 events, seed 1) in the
   benchmark's own database — generated once, reused while it has the right size;
2. queries per request of every target, in-process, with the page cache off;
3. gunicorn on 127.0.0.1 (2 sync workers, DEBUG off, cached templates, the
   cache of CACHE_URL — Redis when it answers on 127.0.0.1:6379), a warm-up,
   then `wrk` at 32 connections, three runs per target, the median run kept;
   then the cold targets: for each, the caches emptied, the data version moved on and
   gunicorn restarted, and `wrk -s walk.lua` over distinct addresses, none requested twice;
4. the import of the 100,000 ties into a database holding only the places
   (wall time and peak RSS of the `import_links` process);
5. `tests/bench/search_latency.py`, when present.

Prints a table and writes tests/bench/results-<time>.json (ignored by git).
"""

import argparse
import json
import logging
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parents[1]
WORK = BENCH_DIR / "work"
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH_DIR))

from targets import CEILING, COLD_TARGETS, TARGETS, WALK_SIZES, Target  # noqa: E402

SIZES = {"places": 20000, "ties": 100000, "events": 200000, "seed": 1}
IMPORT_LIMITS = {"seconds": 60, "peak_rss_mb": 400}
THREADS = 2  # wrk's -t
WRK_TIMEOUT = "30s"  # wrk leaves slower answers out of its latencies (its default is 2 s)
WALK_SCRIPT = BENCH_DIR / "walk.lua"
WALK_SEED = 1
WARMUP_ADDRESSES = 200  # a cold target's warm-up walks addresses of its own (at most these)


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(database_url: str, cache_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-only-not-secret",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DJANGO_SECURE_COOKIES": "0",
            # Plain HTTP on 127.0.0.1: no redirect to HTTPS (the production default), no HSTS.
            "DJANGO_SSL_REDIRECT": "0",
            "DJANGO_HSTS_SECONDS": "0",
            # The API's rate limit (120/minute per IP) would make the load test measure 429
            # answers: the benchmark measures throughput, so it turns throttling off, as a
            # deployment whose proxy limits rates would.
            "API_THROTTLE_ANON": "off",
            "API_THROTTLE_USER": "off",
            "DJANGO_LOG_LEVEL": "ERROR",
            "CACHE_URL": cache_url,
            "BENCH_CEILING_VIEW": "1",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def manage(env: dict, *args: str, quiet: bool = True) -> None:
    subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def postgres_recreate(url: str, *, drop: bool) -> None:
    """Create the PostgreSQL database of `url` (dropping it first when asked)."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and drop:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare_database(database_url: str, env: dict) -> None:
    if database_url.startswith("postgres"):
        postgres_recreate(database_url, drop=False)
    # The production profile serves hashed static files from a manifest: collect them first.
    manage(env, "collectstatic", "--no-input", "--verbosity=0")
    manage(env, "migrate", "--no-input")
    import django

    django.setup()
    from cities.models import City, CitySearchKey, FriendshipLink
    from cities.synthetic import SYNTHETIC_NOTE
    from events.models import ExchangeEvent

    have = (
        City.objects.filter(note=SYNTHETIC_NOTE).count(),
        FriendshipLink.objects.count(),
        ExchangeEvent.objects.count(),
    )
    indexed = CitySearchKey.objects.exists()  # sets made before the generator indexed them
    if (
        indexed
        and have[0] == SIZES["places"]
        and have[1] >= SIZES["ties"]
        and have[2] >= SIZES["events"]
    ):
        print(f"Reusing the synthetic set: {have[0]} places, {have[1]} ties, {have[2]} events.")
        return
    print("Generating the synthetic set (once; later runs reuse it) …")
    started = time.monotonic()
    manage(
        env,
        "generate_synthetic",
        *[f"--{k}={v}" for k, v in SIZES.items()],
        "--replace",
        quiet=False,
    )
    print(f"  generated in {time.monotonic() - started:.0f} s")


def placeholders() -> dict[str, str]:
    from django.db.models import Count
    from django.utils import translation

    from cities.models import City, FriendshipLink

    translation.activate("en")
    busiest = (
        City.objects.annotate(
            ties=Count("ties_as_a", distinct=True) + Count("ties_as_b", distinct=True)
        )
        .order_by("-ties", "pk")
        .first()
    )
    tie = FriendshipLink.objects.involving(busiest).with_places().order_by("pk").first()
    return {
        "busiest_place_url": busiest.get_absolute_url() or "/en/cities/not-routed/",
        "busiest_place_ties": str(busiest.ties),
        "tie_url": (tie.get_absolute_url() if tie else "") or "/en/ties/not-routed/",
        "search_query": busiest.name_en[:4],
    }


def queries_per_request(paths: dict[str, str], headers: dict[str, dict]) -> dict[str, dict]:
    """Status and number of queries of each path, in-process, with the page cache off."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from exchangeportal.infra import cache as page_cache

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 404s are expected here
    result = {}
    # No shared cache and no per-process copies: every request is rendered.
    page_cache.local_pages = page_cache._LocalPages(size=0)
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    ):
        client = Client()
        for name, path in paths.items():
            sent = headers.get(name, {})
            client.get(path, headers=sent)  # first request: fills per-process caches (content …)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, headers=sent)
            result[name] = {"status": response.status_code, "queries": len(queries)}
    return result


def start_server(env: dict, port: int) -> subprocess.Popen:
    gunicorn = Path(PYTHON).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "exchangeportal.wsgi:application",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            "--backlog=2048",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{CEILING.path}", timeout=2):
                    return server
            except OSError:  # refused, reset or timed out while the workers boot
                time.sleep(0.5)
    except BaseException:  # never leave a server behind (Ctrl-C included)
        stop_server(server)
        raise
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def status_of(url: str, headers: dict | None = None) -> tuple[int, int, str]:
    """The status, the size of the body as sent and its Content-Encoding."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            return response.status, len(body), response.headers.get("Content-Encoding", "")
    except urllib.error.HTTPError as error:
        return error.code, 0, ""


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


_WALK_LINE = re.compile(
    r"walk: requested (\d+) of (\d+) addresses; (\d+) of (\d+) threads ran out "
    r"\(the last after ([\d.]+) s\); (\d+) cache hits"
)


def wrk(
    url: str,
    *,
    duration: int,
    connections: int,
    headers: dict | None = None,
    script: Path | None = None,
    script_args: tuple = (),
) -> dict:
    """One wrk run: requests/s, p50, p99, the number of requests and errors; with
    `walk.lua`, the walk's own count of the addresses it requested."""
    header_args = [
        arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")
    ]
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{connections}",
        f"-d{duration}s",
        f"--timeout={WRK_TIMEOUT}",
        "--latency",
        *header_args,
    ]
    if script:
        command += ["-s", str(script), url, "--", *map(str, script_args)]
    else:
        command.append(url)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    run = {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }
    if socket_errors:
        kinds = ("connect", "read", "write", "timeout")
        run["socket_errors"] = dict(zip(kinds, map(int, socket_errors.groups()), strict=True))
    if script:
        walked = _WALK_LINE.search(output)
        if not walked:
            raise SystemExit(f"walk.lua printed no summary:\n{output}")
        issued, share, ran_out, threads, after, hits = walked.groups()
        run.update(
            addresses_requested=int(issued),
            slice=int(share),
            slice_ran_out=int(ran_out) > 0,
            ran_out_after_s=float(after) if int(ran_out) else None,
            cache_hits=int(hits),
        )
    return run


def write_walks(kinds: set[str]) -> dict[str, Path]:
    """For each cold kind, a file of distinct addresses (one path a line, shuffled) under
    tests/bench/work/: written afresh on every run, from the benchmark database."""
    from addresses import BROAD_QUERY, addresses

    walks = {}
    for kind in sorted(kinds):
        found = addresses(kind, WALK_SIZES[kind], WALK_SEED, broad=False)
        paths = list(dict.fromkeys(found))  # distinct (two places may share a name)
        if kind == "search":
            # One search in ten is the broad one, each made a distinct address by a parameter
            # the search ignores (the page only echoes it in its links): never a cache hit.
            broad = [f"/en/search/?q={BROAD_QUERY}&walk={n}" for n in range(len(paths) // 9)]
            paths += broad
        random.Random(WALK_SEED).shuffle(paths)
        walks[kind] = WORK / f"walk-{kind}.txt"
        walks[kind].write_text("".join(f"{path}\n" for path in paths), encoding="utf-8")
        print(f"Walk of {kind}: {len(paths)} distinct addresses in {walks[kind].relative_to(ROOT)}")
    return walks


def walk_slices(total: int, runs: int) -> dict:
    """How a walk file is shared out: line 0 for the status check and the query count (asked
    in-process, outside the server), then the warm-up's lines, then one slice per run."""
    warmup = min(WARMUP_ADDRESSES, (total - 1) // (runs + 1))
    per_run = (total - 1 - warmup) // runs
    return {
        "probe": 0,
        "warmup": (1, warmup),
        "runs": [(1 + warmup + n * per_run, per_run) for n in range(runs)],
    }


def wait_idle(base: str, *, quick_s: float = 0.1, limit_s: float = 120) -> float:
    """Wait until the server has answered what an ended wrk run left queued: wrk drops its
    connections at the end of a run, but the workers still render every request already sent
    (slow ones pile up: a cold run's 32 in flight). A request to the ceiling waits behind
    them; two quick answers in a row mean the queue is empty. Returns the seconds waited."""
    started = time.monotonic()
    quick = 0
    while quick < 2 and time.monotonic() - started < limit_s:
        asked = time.monotonic()
        try:
            status_of(base + CEILING.path)
        except OSError:  # timed out behind the queue: ask again
            quick = 0
            continue
        quick = quick + 1 if time.monotonic() - asked < quick_s else 0
    return round(time.monotonic() - started, 1)


def caches_empty() -> None:
    """Empty the bench's shared cache (Redis: its database is flushed; local memory lives in
    the workers and goes with them) and move the data version on, so no page, fragment or
    ETag of before is valid. The caller restarts gunicorn for the per-process copies."""
    from django.core.cache import cache
    from django.db import transaction

    from exchangeportal.infra.cache import data_version_bump

    cache.clear()
    with transaction.atomic():
        data_version_bump()


def target_verdict(target: Target, row: dict) -> bool | None:
    """Whether the median run met the target's ratio and p99 (None: no target, or no run)."""
    if not target.has_targets or row.get("result") != "ok" or row.get("ratio_exact") is None:
        return None
    met = True
    if target.ratio_min is not None:
        met = met and row["ratio_exact"] >= target.ratio_min
    if target.p99_max_ms is not None:
        met = met and row["p99_ms"] < target.p99_max_ms
    return met


def measure(base: str, target: Target, path: str, options, **walk) -> dict:
    """Status check, warm-up and the runs of one target; the median run (by requests/s)."""
    load = {"connections": options.connections, "headers": target.headers}
    row = {"status": 0}
    status, size, encoding = status_of(base + path, target.headers)
    row.update(status=status, body_bytes=size, content_encoding=encoding)
    if status == 404:
        row["result"] = "not available"
        return row
    if status != 200:
        row["result"] = f"error {status}"
        return row
    if not walk:
        wrk(base + path, duration=2, **load)  # warm-up
        runs = [wrk(base + path, duration=options.duration, **load) for _ in range(options.runs)]
    else:
        file, slices = walk["file"], walk["slices"]
        script = {"script": WALK_SCRIPT}
        first, count = slices["warmup"]
        if count >= THREADS:
            wrk(base, duration=2, script_args=(file, first, count, THREADS), **script, **load)
        row["waited_for_idle_s"] = [wait_idle(base)]
        runs = []
        for first, count in slices["runs"]:
            run = wrk(
                base,
                duration=options.duration,
                script_args=(file, first, count, THREADS),
                **script,
                **load,
            )
            row["waited_for_idle_s"].append(wait_idle(base))
            run["slice_first_line"] = first
            if run["addresses_requested"] > count or run["requests"] > count:
                raise SystemExit(f"walk.lua requested more than its slice: {run}")
            runs.append(run)
    median = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
    row.update(median, runs=runs, result="ok")
    return row


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk from Debian …")
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
        return
    raise SystemExit("wrk is missing: sudo apt-get install -y wrk")


def time_import(database_url: str, cache_url: str, ties_csv: Path) -> dict:
    """Import the exported ties into a database with only the places; time and peak RSS."""
    if database_url.startswith("postgres"):
        import_url = f"{database_url}_import"
        postgres_recreate(import_url, drop=True)
    else:
        path = WORK / "bench-import.sqlite3"
        path.unlink(missing_ok=True)
        import_url = f"sqlite:///{path}"
    env = bench_env(import_url, "locmem://")
    manage(env, "migrate", "--no-input")
    manage(
        env,
        "generate_synthetic",
        f"--places={SIZES['places']}",
        "--ties=0",
        "--events=0",
        f"--seed={SIZES['seed']}",
        "--no-progress",
    )
    started = time.monotonic()
    process = subprocess.Popen(
        [PYTHON, str(ROOT / "manage.py"), "import_links", str(ties_csv)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    return {
        "rows": sum(1 for _ in ties_csv.open(encoding="utf-8")) - 1,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "exit_status": os.waitstatus_to_exitcode(status),
        "report": output.strip().splitlines(),
    }


def search_latency(database_url: str) -> dict | None:
    script = BENCH_DIR / "search_latency.py"
    if not script.exists():
        return None
    env = bench_env(database_url, "locmem://")
    env["DJANGO_DEBUG"] = "1"
    done = subprocess.run([PYTHON, str(script)], env=env, cwd=ROOT, capture_output=True, text=True)
    return {"exit_status": done.returncode, "output": (done.stdout + done.stderr).strip()}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} cores, {cpu}; load average {load:.1f} at start"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--skip-load", action="store_true", help="no wrk runs")
    parser.add_argument("--skip-import", action="store_true", help="no import timing")
    parser.add_argument(
        "--only", default="", help="only the targets whose name starts with this (and the ceiling)"
    )
    parser.add_argument(
        "--cold-only", action="store_true", help="only the cold targets (and the ceiling)"
    )
    options = parser.parse_args()

    WORK.mkdir(exist_ok=True)
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{WORK / 'bench.sqlite3'}"
    cache_url = os.environ.get("BENCH_CACHE_URL") or (
        "redis://127.0.0.1:6379/2" if redis_answers() else "locmem://"
    )
    env = bench_env(database_url, cache_url)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "exchangeportal.settings"
    started_at = datetime.now(UTC)
    results = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "machine": machine(),
        "database": database_url.split("://")[0],
        "cache": cache_url.split("://")[0],
        "sizes": SIZES,
        "targets": [],
    }
    print(
        f"Machine: {results['machine']}; database {results['database']}; cache {results['cache']}"
    )

    prepare_database(database_url, env)
    values = placeholders()
    results["busiest_place_ties"] = int(values["busiest_place_ties"])
    hot = [] if options.cold_only else [t for t in TARGETS if t.name.startswith(options.only)]
    cold = [t for t in COLD_TARGETS if t.name.startswith(options.only)]
    walks = write_walks({t.kind for t in cold}) if cold and not options.skip_load else {}
    slices = {}
    paths = {t.name: t.path.format(**values) for t in [CEILING, *hot]}
    for target in cold:
        if target.kind in walks:
            lines = walks[target.kind].read_text(encoding="utf-8").splitlines()
            slices[target.name] = walk_slices(len(lines), options.runs)
            paths[target.name] = lines[0]
        else:
            paths[target.name] = addresses_probe(target.kind)
    headers = {t.name: t.headers for t in [CEILING, *hot, *cold]}
    queries = queries_per_request(paths, headers)

    if not options.skip_load:
        ensure_wrk()
        if hot or not cold:  # no target at all chosen: the ceiling alone, as before
            load_hot(env, hot, paths, queries, options, results)
        if cold:
            load_cold(env, cold, paths, queries, walks, slices, options, results)

    if not options.skip_import:
        ties_csv = WORK / "ties.csv"
        manage(env, "export_links", str(ties_csv))
        print("Timing the import of the exported ties …")
        results["import"] = time_import(database_url, cache_url, ties_csv)
        imported = results["import"]
        imported["within_limits"] = (
            imported["seconds"] < IMPORT_LIMITS["seconds"]
            and imported["peak_rss_mb"] < IMPORT_LIMITS["peak_rss_mb"]
            and imported["exit_status"] == 0
        )
        print(
            f"Import of {imported['rows']} ties: {imported['seconds']} s "
            f"({imported['cpu_seconds']} s CPU), peak RSS {imported['peak_rss_mb']} MB "
            f"(limits {IMPORT_LIMITS['seconds']} s, {IMPORT_LIMITS['peak_rss_mb']} MB)"
        )

    latency = search_latency(database_url)
    if latency:
        results["search_latency"] = latency
        print("Search latency:\n" + latency["output"])

    print()
    print_table(results)
    out = BENCH_DIR / f"results-{started_at:%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (BENCH_DIR / "results-latest.json").write_text(out.read_text(encoding="utf-8"))
    print(f"\nWritten to {out.relative_to(ROOT)}")


def addresses_probe(kind: str) -> str:
    """One address of a cold kind, for the query count when there is no walk (`--skip-load`)."""
    from addresses import addresses

    return addresses(kind, 1, WALK_SEED, broad=False)[0]


def result_row(target: Target, path: str, queries: dict, phase: str) -> dict:
    row = {"name": target.name, "phase": phase, "path": path}
    if target.kind:
        row["kind"] = target.kind
    row["targets_apply"] = target.has_targets
    row["target"] = {"ratio_min": target.ratio_min, "p99_max_ms": target.p99_max_ms}
    if target.headers:
        row["headers"] = target.headers
    row.update(queries[target.name])
    return row


def finish_row(target: Target, row: dict, ceiling_rps: float | None) -> None:
    """The ratio to the ceiling of the same phase, and the verdict on the targets."""
    if row.get("result") == "ok":
        exact = row["rps"] / ceiling_rps if ceiling_rps else None
        row["ratio_exact"] = exact
        row["ratio"] = round(exact, 3) if exact is not None else None
    row["target_met"] = target_verdict(target, row)
    row.pop("ratio_exact", None)


def load_hot(env, targets, paths, queries, options, results) -> None:
    """The ceiling and each hot target, on one server: one address each, over and over."""
    port = free_port()
    server = start_server(env, port)
    try:
        base = f"http://127.0.0.1:{port}"
        ceiling_rps = None
        for target in [CEILING, *targets]:
            row = result_row(target, paths[target.name], queries, "hot")
            row.update(measure(base, target, paths[target.name], options))
            if target is CEILING and row.get("result") == "ok":
                ceiling_rps = row["rps"]
            finish_row(target, row, ceiling_rps)
            results["targets"].append(row)
            print_row(row)
    finally:
        stop_server(server)


def load_cold(env, targets, paths, queries, walks, slices, options, results) -> None:
    """The cold targets, each on a fresh server after emptying the caches. The ceiling is
    measured first, on a fresh server of its own, and used for every cold target's ratio."""
    ceiling = Target(f"{CEILING.name}, cold phase", CEILING.path)
    queries[ceiling.name] = queries[CEILING.name]
    ceiling_rps = None
    for target in [ceiling, *targets]:
        caches_empty()
        port = free_port()
        server = start_server(env, port)
        try:
            row = result_row(target, paths.get(target.name, target.path), queries, "cold")
            if target is ceiling:
                row.update(measure(f"http://127.0.0.1:{port}", target, target.path, options))
                if row.get("result") == "ok":
                    ceiling_rps = row["rps"]
            else:
                walk = {"file": walks[target.kind], "slices": slices[target.name]}
                row["walk_file"] = str(walk["file"].relative_to(ROOT))
                row["walk_slices"] = walk["slices"]
                row.update(
                    measure(f"http://127.0.0.1:{port}", target, row["path"], options, **walk)
                )
                if row.get("result") == "ok":
                    row["addresses"] = row["addresses_requested"]
                    row["slice_ran_out_runs"] = sum(r["slice_ran_out"] for r in row["runs"])
                    row["cache_hits"] = sum(r["cache_hits"] for r in row["runs"])
            finish_row(target, row, ceiling_rps)
            results["targets"].append(row)
            print_row(row)
        finally:
            stop_server(server)


def verdict_text(row: dict) -> str:
    """The targets and whether the median run met them: "≥0.05, p99<200: met"."""
    limits = row.get("target") or {}
    parts = []
    if limits.get("ratio_min") is not None:
        parts.append(f"≥{limits['ratio_min']:.2f}")
    if limits.get("p99_max_ms") is not None:
        parts.append(f"p99<{limits['p99_max_ms']:g}")
    if not parts:
        return "—"
    met = row.get("target_met")
    return f"{', '.join(parts)}: " + {True: "met", False: "NOT met", None: "no figures"}[met]


def print_row(row: dict) -> None:
    if row.get("result") != "ok":
        print(f"  {row['name']}: {row.get('result')} ({row['path']})")
        return
    encoding = f" {row['content_encoding']}" if row.get("content_encoding") else ""
    walked = ""
    if "addresses" in row:
        walked = f", {row['addresses']:,} distinct addresses in the median run"
        if row["slice_ran_out_runs"]:
            walked += f" (the slice ran out in {row['slice_ran_out_runs']} run(s))"
        if row["cache_hits"]:
            walked += f", {row['cache_hits']} cache hits"
    print(
        f"  {row['name']}: {row['rps']:.0f} req/s, p50 {row['p50_ms']:.1f} ms, "
        f"p99 {row['p99_ms']:.1f} ms, {row['queries']} queries, "
        f"{row.get('body_bytes', 0):,} bytes{encoding}{walked}; {verdict_text(row)}"
    )


def print_table(results: dict) -> None:
    header = (
        f"| {'target':<29} | {'req/s':>7} | {'p50 ms':>7} | {'p99 ms':>7} "
        f"| {'× ceiling':>9} | {'queries':>7} | {'addresses':>9} | {'target':<24} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    notes = []
    for row in results["targets"]:
        if row.get("result") != "ok":
            print(f"| {row['name']:<29} | {row.get('result', ''):>61} | {verdict_text(row):<24} |")
            continue
        ratio = row.get("ratio")
        ratio = "—" if ratio is None else f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.3f}"
        addresses = f"{row['addresses']:,}" if "addresses" in row else "1"
        if row.get("slice_ran_out_runs"):
            addresses += "*"
            notes.append(
                f"* {row['name']}: the slice of addresses ran out before the end of "
                f"{row['slice_ran_out_runs']} run(s); its req/s is a lower bound."
            )
        if row.get("cache_hits"):
            notes.append(f"{row['name']}: {row['cache_hits']} answers were cache hits.")
        print(
            f"| {row['name']:<29} | {row['rps']:>7.0f} | {row['p50_ms']:>7.1f} | "
            f"{row['p99_ms']:>7.1f} | {ratio:>9} | {row['queries']:>7} | {addresses:>9} | "
            f"{verdict_text(row):<24} |"
        )
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
