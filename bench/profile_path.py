"""The verification path in process: CPU per request of the request thread and of the scan writer.

    .venv/bin/python -m bench.profile_path sqlite label              # or certificate
    .venv/bin/python -m bench.profile_path postgres label --profile request   # or writer

Calls the registry's WSGI app directly (no server, no network) with random known and unknown
paths of the bench database, from one thread and from one address as wrk does, with scans
batched as in production. Prints the thread CPU time of the requests and of the scan writer per
request; --profile prints a cProfile of either (thread CPU time; profiling inflates small calls).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import time

from . import load
from .common import add_database_arguments, chosen_database


def environ(path: str) -> dict:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
            "REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "bench.profile_path",
            "SERVER_NAME": "localhost", "SERVER_PORT": "80", "HTTP_HOST": "localhost",
            "wsgi.url_scheme": "http", "wsgi.input": None, "wsgi.errors": sys.stderr}  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_arguments(parser)
    parser.add_argument("page", choices=("label", "certificate"))
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--profile", choices=("request", "writer"))
    args = parser.parse_args(argv)
    scale, url = chosen_database(parser, args)
    os.environ.update(load.site_env(url, scale))
    paths = load.write_paths(url, scale)[args.page].read_text().split()

    from app import app
    from gi_registry.verify import scanlog

    profiler = cProfile.Profile(time.thread_time) if args.profile else None
    if args.profile == "writer":
        run = scanlog.ScanWriter._run

        def profiled_run(writer):
            profiler.enable()
            try:
                run(writer)
            finally:
                profiler.disable()

        scanlog.ScanWriter._run = profiled_run
    wsgi = app.wsgi_app

    def start_response(status, headers):
        return None

    for path in paths[:300]:  # warm up: connections, pages, names
        b"".join(wsgi(environ(path), start_response))
    requests = [environ(random.choice(paths)) for _ in range(args.requests)]
    writer = scanlog.writer_for(app)
    writer_clock = time.pthread_getcpuclockid(writer.thread.ident)
    writer_before, started = time.clock_gettime(writer_clock), time.thread_time()
    if args.profile == "request":
        profiler.enable()
    for request in requests:
        b"".join(wsgi(request, start_response))
    if args.profile == "request":
        profiler.disable()
    request_cpu = time.thread_time() - started
    time.sleep(2 * writer.interval)  # the writer's last batch
    writer_cpu = time.clock_gettime(writer_clock) - writer_before
    n = len(requests)
    print(f"{args.database} {args.page}: request thread {request_cpu / n * 1e6:.0f} µs, "
          f"scan writer {writer_cpu / n * 1e6:.0f} µs of CPU per request")  # fmt: skip
    if args.profile == "writer":
        writer.stopping = True
        writer.wake.set()
        writer.thread.join(timeout=5)
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
