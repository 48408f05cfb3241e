"""`make bench`: load-test the portal against the framework ceiling (not collected by pytest).

    make bench                                   # SQLite file under tests/bench/work/
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench make bench
    .venv/bin/python tests/bench/run.py --duration 5 --runs 1     # a quicker look

Steps (see tests/bench/README.md):
1. the synthetic set (20,000 places, 100,000 ties, 200,000 events, seed 1) in the
   benchmark's own database — generated once, reused while it has the right size;
2. queries per request of every target, in-process, with the page cache off;
3. gunicorn on 127.0.0.1 (2 sync workers, DEBUG off, cached templates, the
   cache of CACHE_URL — Redis when it answers on 127.0.0.1:6379), a warm-up,
   then `wrk` at 32 connections, three runs per target, the median run kept;
4. the import of the 100,000 ties into a database holding only the places
   (wall time and peak RSS of the `import_links` process);
5. `tests/bench/search_latency.py`, when present.

Prints a table and writes tests/bench/results-<time>.json (ignored by git).
"""

import argparse
import json
import logging
import os
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

from targets import CEILING, TARGETS  # noqa: E402

SIZES = {"places": 20000, "ties": 100000, "events": 200000, "seed": 1}
IMPORT_LIMITS = {"seconds": 60, "peak_rss_mb": 400}


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


def queries_per_request(paths: dict[str, str]) -> dict[str, dict]:
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
            client.get(path)  # first request: fills per-process caches (content types …)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
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
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{CEILING[1]}", timeout=2):
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


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, *, duration: int, connections: int) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


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
    paths = {name: path.format(**values) for name, path, _applies in [CEILING, *TARGETS]}
    queries = queries_per_request(paths)

    if not options.skip_load:
        ensure_wrk()
        port = free_port()
        server = start_server(env, port)
        try:
            base = f"http://127.0.0.1:{port}"
            ceiling_rps = None
            chosen = [t for t in TARGETS if t[0].startswith(options.only)]
            for name, _path, applies in [CEILING, *chosen]:
                url = base + paths[name]
                row = {"name": name, "path": paths[name], "targets_apply": applies}
                row.update(queries[name])
                status = status_of(url)
                row["status"] = status
                if status == 404:
                    row["result"] = "not available"
                elif status != 200:
                    row["result"] = f"error {status}"
                else:
                    wrk(url, duration=2, connections=options.connections)  # warm-up
                    runs = [
                        wrk(url, duration=options.duration, connections=options.connections)
                        for _ in range(options.runs)
                    ]
                    median = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
                    row.update(median, runs=runs, result="ok")
                    if name == CEILING[0]:
                        ceiling_rps = median["rps"]
                    row["ratio"] = round(median["rps"] / ceiling_rps, 2) if ceiling_rps else None
                results["targets"].append(row)
                print_row(row)
        finally:
            stop_server(server)

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


def print_row(row: dict) -> None:
    if row.get("result") != "ok":
        print(f"  {row['name']}: {row.get('result')} ({row['path']})")
        return
    print(
        f"  {row['name']}: {row['rps']:.0f} req/s, p50 {row['p50_ms']:.1f} ms, "
        f"p99 {row['p99_ms']:.1f} ms, {row['queries']} queries"
    )


def print_table(results: dict) -> None:
    header = (
        f"| {'target':<24} | {'req/s':>7} | {'p50 ms':>7} | {'p99 ms':>7} "
        f"| {'× ceiling':>9} | {'queries':>7} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for row in results["targets"]:
        if row.get("result") != "ok":
            print(f"| {row['name']:<24} | {row.get('result', ''):>47} |")
            continue
        ratio = f"{row['ratio']:.2f}" if row.get("ratio") is not None else "—"
        print(
            f"| {row['name']:<24} | {row['rps']:>7.0f} | {row['p50_ms']:>7.1f} | "
            f"{row['p99_ms']:>7.1f} | {ratio:>9} | {row['queries']:>7} |"
        )


if __name__ == "__main__":
    main()
