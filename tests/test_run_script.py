"""`make run`'s serving script (scripts/run.sh) stops all three of its processes within seconds.

Started as `make run` starts it (SQLite and the file-system broker under a fresh VAR_DIR), then
stopped the two ways a person stops it: SIGTERM to its process group (a service manager, `timeout`)
and SIGINT to it (Ctrl-C in the terminal). Every process it started (gunicorn and its workers, the
Celery worker and its pool, beat) must be gone within STOP_LIMIT seconds; before, the worker's main
process hung in its warm shutdown and kept consuming the var/ queue. The second start reuses the
first one's VAR_DIR: a restart finds its database and demo data and comes up again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.embedded_default import ROOT, embedded_env

STOP_LIMIT = 15.0  # seconds; the script's own grace is 8 s before the cold shutdown


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def start(var_dir: Path, port: int, log: Path) -> subprocess.Popen:
    env = embedded_env(var_dir) | {"PORT": str(port), "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    process = subprocess.Popen(
        ["bash", "scripts/run.sh"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2) as response:
                if response.status == 200 and len(descendants(process.pid)) >= 6:
                    return process
        except OSError:
            pass
        time.sleep(1)
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail("the portal did not come up: " + log.read_text()[-3000:])


def stop_and_measure(process: subprocess.Popen, sig: signal.Signals) -> tuple[float, set[int]]:
    time.sleep(3)  # the worker and beat finish starting (the pool's children exist)
    family = descendants(process.pid) | {process.pid}
    started = time.monotonic()
    os.killpg(process.pid, sig)
    while alive(family) and time.monotonic() - started < STOP_LIMIT + 30:
        time.sleep(0.2)
    left = alive(family)
    for pid in left:  # leave nothing behind for the next test, whatever happened
        os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)
    return time.monotonic() - started, left


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_run_stops_all_three_within_seconds(tmp_path_factory, sig):
    var_dir = tmp_path_factory.getbasetemp() / "run-script-var"  # shared: the second start is a restart
    var_dir.mkdir(exist_ok=True)
    before = {p.name for p in ROOT.iterdir()}
    process = start(var_dir, free_port(), var_dir / "run.log")
    took, left = stop_and_measure(process, sig)
    assert not left, f"still running {took:.1f} s after {sig.name}: {sorted(left)}"
    assert took < STOP_LIMIT, f"{sig.name}: stopped after {took:.1f} s"
    assert {p.name for p in ROOT.iterdir()} - before == set(), "run.sh wrote outside VAR_DIR"
