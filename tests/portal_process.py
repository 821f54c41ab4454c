"""Start and stop scripts/run.sh the way `make run` does (its install steps are make's, not the script's).

Shared by tests/test_run_script.py (stopping, restarts) and tests/test_journey_api.py (the whole procedure
over HTTP). The script runs in a process group of its own, like a terminal's foreground job; `start`
returns once /healthz/ answers and the worker, beat and gunicorn's workers exist.
"""

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

STOP_LIMIT = 15.0  # seconds; the script waits 5 s before the cold shutdown and 8 s more before SIGKILL


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


def portal_env(var_dir: Path, port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    """`make run`'s environment: the embedded default (no DATABASE_URL/REDIS_URL) unless ``extra`` sets them."""
    return embedded_env(var_dir) | {"PORT": str(port), "ALLOWED_HOSTS": "127.0.0.1,localhost"} | (extra or {})


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(
    var_dir: Path, port: int, log: Path, extra_env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.Popen:
    process = subprocess.Popen(
        ["bash", "scripts/run.sh"],
        cwd=cwd,
        env=portal_env(var_dir, port, extra_env),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, like a terminal's foreground job
        # …with Ctrl-C's signal as a terminal delivers it. A suite started in the background by a
        # non-interactive shell inherits SIGINT ignored, and bash cannot trap a signal ignored on entry.
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("run.sh exited: " + log.read_text()[-3000:])
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2) as response:
                if response.status == 200 and len(descendants(process.pid)) >= 6:
                    return process
        except OSError:
            pass
        time.sleep(1)
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail("the portal did not come up: " + log.read_text()[-3000:])


def stop(process: subprocess.Popen, sig: signal.Signals = signal.SIGTERM) -> tuple[float, set[int]]:
    """Send ``sig`` to the script's group; the seconds until all its processes were gone, and any left."""
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


# Written by the tools around the test, never by the portal.
_NOT_THE_PORTALS = {".git", ".venv", "var", "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache"}


def outside_var(root: Path = ROOT) -> tuple[set[str], set[str]]:
    """What the portal could have written outside var/ and .venv/: ``git status --porcelain`` (changed
    and untracked files) and every file and folder of the tree, so an empty folder (Kombu's
    ``control/``, which git does not list) counts too. Compare a snapshot before and after a run."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    changed = {line for line in status.splitlines() if line[3:].split("/")[0] not in {"var", ".venv"}}
    paths = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _NOT_THE_PORTALS]
        base = Path(folder).relative_to(root)
        paths.update(str(base / name) for name in dirs + files)
    return changed, paths
