"""The benchmark: `make bench` (full scale) or `make bench-quick` (a small database, short runs).

    python -m bench.run [--quick] [--seconds N] [--only sqlite|postgres] [--skip-labels]

For SQLite and, when DATABASE_URL names a PostgreSQL server, PostgreSQL: builds (or reuses) the
bench database, starts the registry and the floor (bench/floor_app.py) side by side under
gunicorn with the repository's gunicorn.conf.py, loads each with wrk at 1, 16 and 64 connections
over random existing certificate codes and label serials (10% unknown), in three rounds of 6 s
interleaved with the floor, and reports requests per second as a ratio to the floor measured
just before, with p50/p99 latency (medians of the rounds); then checks that
every verification was recorded, the workers' resident memory, label issuance (10,000 and
50,000 labels with their PDF) and the server time of the busiest pages. Prints a table and
writes bench/results.json. It reports; it never fails for being slow.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import build_db, inprocess, load
from bench.common import BENCH, FULL, OUT, QUICK, ROOT, Scale, postgres_url, sqlite_url

TARGETS = {"sqlite": 0.6, "postgresql": 0.4}
CONNECTIONS = (1, 16, 64)
NAMES = {"certificate": "/v/<code>", "label": "/l/<serial>", "certificate_uncached": "/v/ no cache"}
MARKDOWN_NAMES = {"certificate": "`/v/<code>`", "label": "`/l/<serial>`",
                  "certificate_uncached": "`/v/<code>` without the row cache"}  # fmt: skip


def machine() -> dict:
    model = ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    return {"cores": os.cpu_count(), "cpu": model, "memory_gb": round(int(mem) / 2**20, 1),
            "python": platform.python_version(), "commit": commit}  # fmt: skip


def scan_count(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        total = conn.scalar(sa.text("SELECT count(*) FROM scan"))
    engine.dispose()
    return total


def http_runs(url: str, scale: Scale, seconds: float, wrk: str, repeat: int = 1) -> dict:
    """Floor and registry side by side; each loaded in turn at every connection count, `repeat`
    times interleaved (floor, certificate, label, floor, ...). A row is the median of its
    repeats, and its ratio the median of the ratios to the floor run just before it: the
    machine's other load changes from minute to minute, never within one round."""
    paths = load.write_paths(url, scale)
    site = load.start_server("site", "app:app", load.site_env(url, scale), "/v/0")
    floor = load.start_server("floor", "bench.floor_app:app", {}, "/v/0")
    # (name, server, paths): on PostgreSQL the certificate page also without the row cache
    # (verify/rowcache.py), whose hits depend on how often the same codes come back.
    targets = [("certificate", site, "certificate"), ("label", site, "label")]
    servers = [site, floor]
    if url.startswith("postgresql"):
        env = load.site_env(url, scale, {"FLASK_VERIFY_CACHE": "false"})
        servers.append(load.start_server("site-nocache", "app:app", env, "/v/0"))
        targets.append(("certificate_uncached", servers[-1], "certificate"))
    before = scan_count(url)
    rows, served = [], 0
    try:
        for _target, server, kind in [("floor", floor, "floor"), *targets]:
            load.run_wrk(wrk, server.url(), paths[kind], 16, min(2.0, seconds))  # warm up
        for connections in CONNECTIONS:
            found: dict[str, list[tuple]] = {"floor": [], **{name: [] for name, *_ in targets}}
            for _ in range(repeat):
                base = load.run_wrk(wrk, floor.url(), paths["floor"], connections, seconds)
                found["floor"].append((base, 1.0))
                for target, server, kind in targets:
                    result = load.run_wrk(wrk, server.url(), paths[kind], connections, seconds)
                    found[target].append((result, result.rps / base.rps))
                    served += result.requests - result.non_2xx
            for target, results in found.items():
                rows.append(median_row(target, results))
        # Warm-up requests count too: every answered page of a known code is one scan.
        memory = {server.name: {pid: load.rss_mb(pid) for pid in server.worker_pids()}
                  for server in servers}  # fmt: skip
    finally:
        for server in servers:
            server.stop()
    recorded = scan_count(url) - before
    return {"runs": rows, "worker_rss_mb": memory, "scans_recorded": recorded,
            "known_pages_served_measured": served, "repeats": repeat}  # fmt: skip


def median_row(target: str, results: list[tuple]) -> dict:
    """One table row from repeated runs: the median of each measure, and every ratio seen."""
    first = results[0][0].as_dict()
    row = {"target": target, "connections": first["connections"], "seconds": first["seconds"]}
    for key in ("requests", "rps", "p50_ms", "p90_ms", "p99_ms", "non_2xx", "socket_errors"):
        row[key] = statistics.median(r.as_dict()[key] for r, _ in results)
    row["ratio"] = round(statistics.median(ratio for _, ratio in results), 3)
    row["ratios"] = [round(ratio, 3) for _, ratio in results]
    return row


def one_database(kind: str, url: str, scale: Scale, args, wrk: str) -> dict:
    print(f"\n== {kind}: {sa.engine.make_url(url).render_as_string()}")
    built = build_db.ensure(url, scale, args.rebuild)
    section = {"database": kind, "built": built}
    section.update(http_runs(url, scale, args.seconds, wrk, args.repeat))
    if not args.skip_pages:
        section["pages"] = inprocess.time_pages(url, scale)
    if not args.skip_labels:
        sizes = (1_000, 5_000) if scale is QUICK else (10_000, 50_000)
        if kind != "sqlite":
            sizes = sizes[:1]
        section["labels"] = [inprocess.issue_in_child(url, scale.name, n) for n in sizes]
    return section


def table(results: dict) -> str:
    lines = []
    for section in results["databases"]:
        kind = section["database"]
        lines.append(f"\n{kind}  (target at 16 connections: ratio >= {TARGETS.get(kind, 0.4)}, "
                     "p99 < 25 ms)")  # fmt: skip
        lines.append(f"{'page':<14}{'conns':>6}{'req/s':>10}{'ratio':>8}{'p50 ms':>9}"
                     f"{'p99 ms':>9}{'non-2xx':>9}{'errors':>8}")  # fmt: skip
        for r in section["runs"]:
            name = NAMES.get(r["target"], "floor")
            lines.append(f"{name:<14}{r['connections']:>6}{r['rps']:>10.0f}{r['ratio']:>8.2f}"
                         f"{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['non_2xx']:>9.0f}"
                         f"{r['socket_errors']:>8.0f}")  # fmt: skip
        lines.append("ratios of each round (floor just before): " + "; ".join(
            f"{r['target']}@{r['connections']} {r.get('ratios')}" for r in section["runs"]
            if r["target"] != "floor"))  # fmt: skip
        lines.append(f"scans recorded during the run: {section['scans_recorded']} "
                     f"(pages of known codes served in the measured runs: "
                     f"{section['known_pages_served_measured']}, plus warm-up)")  # fmt: skip
        for name, workers in section["worker_rss_mb"].items():
            lines.append(f"worker RSS ({name}): " + ", ".join(f"{v} MB" for v in workers.values()))
        for page in section.get("pages", []):
            lines.append(f"  {page['page']:<36}{page['median_ms']:>8.1f} ms median"
                         f"{page['max_ms']:>8.1f} ms max{page['queries']:>4} queries"
                         f"  [{page['status']}]")  # fmt: skip
        for batch in section.get("labels", []):
            if "error" in batch:
                lines.append(f"  label batch {batch['quantity']}: ERROR {batch['error']}")
                continue
            lines.append(f"  label batch {batch['quantity']:>6}: {batch['seconds']:>6.1f} s, "
                         f"{batch['labels_per_second']:>7.0f} labels/s, PDF {batch['pdf_mb']} MB, "
                         f"peak RSS {batch['peak_rss_mb']} MB ({batch['progress_updates']} "
                         f"progress updates, state {batch['state']})")  # fmt: skip
    return "\n".join(lines)


def markdown(results: dict) -> str:
    """The README's table: ratios and latency at each connection count, per database."""
    lines = ["| database | page | connections | req/s | ratio to floor | p50 ms | p99 ms |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for section in results["databases"]:
        for r in section["runs"]:
            name = MARKDOWN_NAMES.get(r["target"], "floor")
            lines.append(f"| {section['database']} | {name} | {r['connections']} | {r['rps']:.0f} "
                         f"| {r['ratio']:.2f} | {r['p50_ms']:.2f} | {r['p99_ms']:.1f} |")  # fmt: skip
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small database, short runs")
    parser.add_argument("--seconds", type=float, help="per load run (default 6, quick 2)")
    parser.add_argument(
        "--repeat", type=int, help="rounds per connection count (default 3, quick 1)"
    )
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--rebuild", action="store_true", help="rebuild the bench databases")
    parser.add_argument("--skip-labels", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument(
        "--output", help="default bench/results.json (quick: bench/out/results-quick.json)"
    )
    parser.add_argument("--markdown", metavar="RESULTS", help="print a results file as tables")
    args = parser.parse_args(argv)
    if args.markdown:
        results = json.loads(Path(args.markdown).read_text())
        print(markdown(results))
        print(table(results))
        return 0
    scale = QUICK if args.quick else FULL
    args.seconds = args.seconds or (2.0 if args.quick else 6.0)
    args.repeat = args.repeat or (1 if args.quick else 3)
    args.output = args.output or str(
        OUT / "results-quick.json" if args.quick else BENCH / "results.json"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    wrk = load.ensure_wrk()
    results = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "scale": scale.name,
               "seconds_per_run": args.seconds, "repeats": args.repeat, "machine": machine(),
               "databases": []}  # fmt: skip
    started = time.monotonic()
    urls = []
    if args.only != "postgres":
        urls.append(("sqlite", sqlite_url(scale)))
    if args.only != "sqlite":
        if url := postgres_url(scale):
            urls.append(("postgresql", url))
        else:
            print("DATABASE_URL is not a PostgreSQL URL: PostgreSQL skipped")
    for kind, url in urls:
        results["databases"].append(one_database(kind, url, scale, args, wrk))
    results["total_seconds"] = round(time.monotonic() - started, 1)
    print(table(results))
    Path(args.output).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to {args.output} in {results['total_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
