"""HTTP load: the servers under gunicorn, wrk with a Lua script over a paths file, its output."""

from __future__ import annotations

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
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa

from .common import OUT, PUBLIC_BASE_URL, ROOT, SECRET_KEY, Scale, app_settings

LUA = """
-- Each request asks for a random line of the paths file (one Lua state per wrk thread).
local paths = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
function init(args)
  math.randomseed(os.time() * 1000 + (id or 0))
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: apt-get install -y wrk")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    found = shutil.which("wrk")
    if not found:
        subprocess.run(["apt-get", "update"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_paths(url: str, scale: Scale, unknown_share: float = 0.1, count: int = 20_000) -> dict:
    """Files of random existing /v/<code> and /l/<serial> paths, `unknown_share` of them codes
    the registry does not know (well-formed, with a valid check character)."""
    from gi_registry.certificates.serials import ALPHABET, check_char

    rng = random.Random(7)
    engine = sa.create_engine(url)
    files = {}
    with engine.connect() as conn:
        for kind, table, column, prefix, body in (
            ("certificate", "certificate", "code", "/v/", 16),
            ("label", "label", "serial", "/l/", 12),
        ):
            top = conn.scalar(sa.text(f"SELECT max(id) FROM {table}"))
            ids = [rng.randint(1, top) for _ in range(count)]
            known = []
            for start in range(0, len(ids), 1000):
                chunk = ids[start : start + 1000]
                known += conn.scalars(
                    sa.text(
                        f"SELECT {column} FROM {table} WHERE id IN ({','.join(map(str, chunk))})"
                    )
                ).all()
            unknown = []
            for _ in range(int(len(known) * unknown_share / (1 - unknown_share))):
                text = "".join(rng.choices(ALPHABET, k=body))
                unknown.append(text + check_char(text))
            paths = [prefix + v for v in known + unknown]
            rng.shuffle(paths)
            path = OUT / f"paths-{kind}-{scale.name}-{engine.dialect.name}.txt"
            path.write_text("\n".join(paths) + "\n")
            files[kind] = path
    engine.dispose()
    files["floor"] = files["certificate"]
    return files


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    log: Path

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name (state, parent, ..., utime, stime at 11 and 12),
    or None once the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def children(pid: int) -> list[int]:
    pids = (int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit())
    return sorted(p for p in pids if (fields := stat_fields(p)) and int(fields[1]) == pid)


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def start_server(name: str, target: str, env_extra: dict, probe: str) -> Server:
    """gunicorn -c gunicorn.conf.py TARGET on a free loopback port, once it answers."""
    port = free_port()
    log = OUT / f"gunicorn-{name}.log"
    env = {**os.environ, **env_extra, "GUNICORN_BIND": f"127.0.0.1:{port}",
           "GUNICORN_LOGLEVEL": "warning"}  # fmt: skip
    env.pop("GUNICORN_ACCESSLOG", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), target],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    server = Server(name, process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} did not start; see {log}")
        try:
            urllib.request.urlopen(server.url(probe), timeout=2).read()
            break
        except urllib.error.HTTPError:
            break  # it answers (a 404 for an unknown code is an answer)
        except OSError:
            time.sleep(0.2)
    else:
        server.stop()
        raise RuntimeError(f"{name} did not answer within 60 s; see {log}")
    return server


def site_env(url: str, scale: Scale, extra: dict | None = None) -> dict:
    """The environment that makes `app:app` the registry on the bench database."""
    settings = app_settings(url, scale)
    env = {
        "DATABASE_URL": url,
        "FLASK_SECRET_KEY": SECRET_KEY,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "FLASK_KEYS_DIR": settings["KEYS_DIR"],
        "FLASK_LABELS_DIR": settings["LABELS_DIR"],
        "FLASK_UPLOAD_DIR": settings["UPLOAD_DIR"],
        # All the load comes from one address: keep the limiter's work, lift its budget.
        "FLASK_RATELIMIT_VERIFY": "100000000 per minute",
    }
    return {**env, **(extra or {})}


@dataclass
class WrkResult:
    connections: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    def as_dict(self) -> dict:
        return asdict(self)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return round(float(match[1]) * UNITS[match[2]], 3) if match else float("nan")


def parse_wrk(output: str, connections: int, seconds: float) -> WrkResult:
    """Requests/sec, the latency percentiles of --latency, non-2xx and socket errors."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    total = int(re.search(r"(\d+) requests in", output)[1])
    pct = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)  # fmt: skip
    return WrkResult(
        connections, seconds, total, rps, to_ms(pct.get("50", "")), to_ms(pct.get("90", "")),
        to_ms(pct.get("99", "")), int(non2xx[1]) if non2xx else 0,
        sum(map(int, errors.groups())) if errors else 0,
    )  # fmt: skip


def run_wrk(wrk: str, base: str, paths: Path, connections: int, seconds: float) -> WrkResult:
    script = OUT / "paths.lua"
    script.write_text(LUA)
    threads = min(2, connections)
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
               "--timeout", "10s", "-s", str(script), base, "--", str(paths)]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output, connections, seconds)
