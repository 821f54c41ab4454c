"""A clock the journey test moves for every process of the portal it started (tests/test_journey_api.py).

Python imports ``sitecustomize`` at start-up from ``sys.path``; the test puts this folder on PYTHONPATH of
scripts/run.sh, so manage.py, gunicorn (master and workers), the Celery worker (and its pool) and beat all
load it. With PORTAL_CLOCK_FILE set, each process shifts its wall clock by the number of seconds written in
that file, re-reading it every 0.2 s: ``time.time()``, ``datetime.now()``, ``date.today()`` … move forward
together in all of them (time-machine patches them in C), while ``time.monotonic()`` and ``sleep`` stay
real, so timeouts, heartbeats and polling intervals behave. A forked child (a gunicorn worker, a pool
process) starts its own watcher. Without PORTAL_CLOCK_FILE nothing happens.

Why not libfaketime: Debian 12's libfaketime 0.9.10 hangs Python 3.11's timed lock waits
(``threading.Event().wait(0.3)`` never returns) and, with FAKETIME_DONT_FAKE_MONOTONIC, makes
``time.sleep`` fail with EINVAL; Celery and gunicorn need both.
"""

import os

CLOCK_FILE = os.environ.get("PORTAL_CLOCK_FILE")

if CLOCK_FILE:
    import threading
    import time

    import time_machine

    def _read() -> float:
        try:
            with open(CLOCK_FILE) as handle:
                return float(handle.read().strip() or 0)
        except (OSError, ValueError):
            return 0.0

    _offset = _read()
    # One journey for the process's life, ticking at real speed; a new offset shifts it.
    _coordinates = time_machine.travel(time.time() + _offset, tick=True).start()

    def _watch() -> None:
        global _offset
        while True:
            time.sleep(0.2)  # not patched: sleeps and time.monotonic() stay real
            offset = _read()
            if offset != _offset:
                _coordinates.shift(offset - _offset)
                _offset = offset

    def _start_watcher() -> None:
        threading.Thread(target=_watch, name="portal-clock", daemon=True).start()

    _start_watcher()
    os.register_at_fork(after_in_child=_start_watcher)
