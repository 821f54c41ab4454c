"""Start the services of docker-compose.yml without Docker, on this machine's PostgreSQL and Redis.

The same commands as the containers: `migrate` (once, it must exit 0), `web` (the Dockerfile's CMD,
gunicorn), `worker` and `beat` (their `command:`), with their `environment:` where the service names
`db` and `redis` become this machine's servers and the container paths under /app/var become a
folder of ours. Use it where Docker is not available, to check that the production shape starts:

    .venv/bin/python scripts/compose_local.py --database-url postgres://postgres@127.0.0.1:5432/portal_compose \
        --redis-url redis://127.0.0.1:6379/9 --var-dir var/compose --port 8000

It prints one line per service as it comes up, serves until SIGTERM or Ctrl-C, then stops every
process (TERM, then KILL after 10 s) and exits. `--check` starts everything, waits until web answers
/healthz/, the worker answers a ping and beat has written its schedule, prints "ready", and stops.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("migrate", "web", "worker", "beat")  # the image's services; db and redis are the machine's


def compose(path: Path = ROOT / "docker-compose.yml") -> dict[str, Any]:
    """docker-compose.yml with its anchors and `<<` merges resolved (YAML does both)."""
    return yaml.safe_load(path.read_text())


def dockerfile_cmd(path: Path = ROOT / "Dockerfile") -> list[str]:
    """The image's default CMD (exec form), which `web` runs."""
    text = path.read_text().replace("\\\n", " ")
    match = re.search(r"^CMD\s+(\[.*\])\s*$", text, re.MULTILINE)
    if match is None:
        raise SystemExit("Dockerfile: no CMD in exec form")
    return json.loads(match.group(1))


def command_of(name: str, service: dict[str, Any]) -> list[str]:
    return list(service.get("command") or dockerfile_cmd())


def localise(argv: list[str], *, var_dir: Path, port: int) -> list[str]:
    """Container paths and addresses → ours: /app/var → var_dir, 0.0.0.0:8000 → 127.0.0.1:port."""
    out = []
    for arg in argv:
        arg = arg.replace("/app/var", str(var_dir))
        arg = arg.replace("0.0.0.0:8000", f"127.0.0.1:{port}")
        arg = "/tmp" if arg == "/dev/shm" and not Path("/dev/shm").is_dir() else arg
        out.append(arg)
    if out and out[0] in ("celery", "gunicorn", "python"):
        out[0] = str(Path(sys.executable).parent / out[0]) if out[0] != "python" else sys.executable
    return out


def environment(
    service: dict[str, Any], *, database_url: str, redis_url: str, var_dir: Path, port: int
) -> dict[str, str]:
    """The service's `environment:`, with the db/redis hosts and /app/var paths replaced, over a minimal
    production-like base (DEBUG off, a random key, this host allowed)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "VAR_DIR": str(var_dir),
            "WEB_CONCURRENCY": "2",
        }
    )
    for key, value in (service.get("environment") or {}).items():
        value = str(value)
        if key == "DATABASE_URL":
            value = database_url
        elif key == "REDIS_URL":
            value = redis_url
        env[key] = value.replace("/app/var", str(var_dir))
    env["BEHIND_TLS_PROXY"] = "false"  # no proxy in front of us
    return env


class Stack:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.var_dir = Path(args.var_dir).resolve()
        self.services = compose()["services"]
        self.processes: dict[str, subprocess.Popen] = {}

    def spec(self, name: str) -> tuple[list[str], dict[str, str]]:
        service = self.services[name]
        argv = localise(command_of(name, service), var_dir=self.var_dir, port=self.args.port)
        env = environment(
            service,
            database_url=self.args.database_url,
            redis_url=self.args.redis_url,
            var_dir=self.var_dir,
            port=self.args.port,
        )
        return argv, env

    def migrate(self) -> None:
        argv, env = self.spec("migrate")
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise SystemExit(f"migrate failed ({done.returncode}):\n{done.stderr[-3000:]}")
        print("migrate: exited 0", flush=True)

    def start(self, name: str) -> None:
        argv, env = self.spec(name)
        log = open(self.var_dir / f"{name}.log", "ab")  # noqa: SIM115 (kept open for the child)
        self.processes[name] = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        print(f"{name}: started (pid {self.processes[name].pid}): {' '.join(argv)}", flush=True)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    # The same checks as the containers' health checks ------------------------------------------------
    def web_healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.args.port}/healthz/", timeout=4) as r:
                return r.status == 200
        except OSError:
            return False

    def worker_healthy(self) -> bool:
        argv, env = self.spec("worker")
        ping = [argv[0], "-A", "config", "inspect", "ping", "--timeout", "5"]
        return subprocess.run(ping, cwd=ROOT, env=env, capture_output=True, timeout=60).returncode == 0

    def beat_healthy(self) -> bool:
        return any(self.var_dir.glob("celerybeat-schedule*"))

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = {"web": self.web_healthy, "worker": self.worker_healthy, "beat": self.beat_healthy}
        while pending and time.monotonic() < deadline:
            for name, healthy in list(pending.items()):
                if self.processes[name].poll() is not None:
                    raise SystemExit(f"{name} exited with {self.processes[name].returncode}")
                if healthy():
                    print(f"{name}: healthy", flush=True)
                    del pending[name]
            time.sleep(1)
        if pending:
            raise SystemExit(f"not healthy after {timeout:.0f} s: {', '.join(pending)}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--var-dir", default=str(ROOT / "var" / "compose"))
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--check", action="store_true", help="start, wait until healthy, stop")
    parser.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args()
    stack = Stack(args)
    (stack.var_dir / "media").mkdir(parents=True, exist_ok=True)
    stopping = False

    def on_signal(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    stack.migrate()
    try:
        for name in ("web", "worker", "beat"):
            stack.start(name)
        stack.wait_ready(args.timeout)
        print("ready", flush=True)
        while not args.check and not stopping:
            time.sleep(0.5)
    finally:
        stack.stop()
        print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
