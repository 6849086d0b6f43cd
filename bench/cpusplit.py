"""Where a verification request's CPU goes: the server's workers, PostgreSQL and wrk, per request.

    .venv/bin/python -m bench.cpusplit sqlite label          # or certificate, floor
    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres .venv/bin/python -m bench.cpusplit \\
        postgres label --seconds 10 --connections 16

A ratio to the floor says how far a page is from it, not why. This starts one server (the
registry or the floor) on the bench database that `make bench` built, loads it with wrk as the
benchmark does, and divides the CPU time each group of processes used during the run (from
/proc: the gunicorn workers, every `postgres` process on the machine, wrk) by the requests
served. Workers are not recycled during the run (GUNICORN_MAX_REQUESTS=0), or their time would
be lost with them. Extra settings for the registry: --env NAME=VALUE (repeatable).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from . import load
from .common import add_database_arguments, chosen_database

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid: int) -> int:
    """User + system time of a process so far, in clock ticks (0 once it is gone)."""
    fields = load.stat_fields(pid)
    return int(fields[11]) + int(fields[12]) if fields else 0


def named(command: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == command:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_arguments(parser)
    parser.add_argument("page", choices=("label", "certificate", "floor"))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    scale, url = chosen_database(parser, args)
    os.environ["GUNICORN_MAX_REQUESTS"] = "0"
    paths, wrk = load.write_paths(url, scale), load.ensure_wrk()
    if args.page == "floor":
        server = load.start_server("floor", "bench.floor_app:app", {}, "/v/0")
        kind = "floor"
    else:
        extra = dict(item.split("=", 1) for item in args.env)
        server = load.start_server("site", "app:app", load.site_env(url, scale, extra), "/v/0")
        kind = args.page
    try:
        load.run_wrk(wrk, server.url(), paths[kind], args.connections, 3)  # warm up
        workers, postgres = server.worker_pids(), named("postgres")
        before = [sum(map(cpu_ticks, group)) for group in (workers, postgres)]
        ours = os.times()
        result = load.run_wrk(wrk, server.url(), paths[kind], args.connections, args.seconds)
        after = [sum(map(cpu_ticks, group)) for group in (workers, postgres)]
        children = os.times()
    finally:
        server.stop()
    per_request = {
        name: (end - start) / TICK / result.requests * 1e6
        for name, start, end in zip(("workers", "postgres"), before, after, strict=True)
    }
    wrk_time = (children.children_user + children.children_system
                - ours.children_user - ours.children_system)  # fmt: skip
    per_request["wrk"] = wrk_time / result.requests * 1e6
    print(f"{args.database} {args.page}, {args.connections} connections: {result.rps:.0f} req/s, "
          f"p50 {result.p50_ms} ms, p99 {result.p99_ms} ms")  # fmt: skip
    print("CPU per request: " + ", ".join(f"{k} {v:.0f} µs" for k, v in per_request.items())
          + f" (sum {sum(per_request.values()):.0f} µs)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
