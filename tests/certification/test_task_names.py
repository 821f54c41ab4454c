"""Celery task names survive the split of certification/ into stage packages.

Queued messages and beat entries name a task by its dotted name, so a task that moved keeps the name it
had (``name=`` on its decorator), and the worker knows it only if ``certification/tasks.py`` (the module
autodiscovery imports) imports it. Checked in a fresh interpreter, as a worker starts: in the test process
other imports would register the tasks anyway.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# name the task had before the split -> the module that defines it now
TASKS = {
    "certification.tasks.close_due_notices": "certification.publicity.tasks",
    "certification.certificate_tasks.render_certificate_batch": "certification.certificates.tasks",
    "certification.lifecycle_tasks.flag_missing_reports": "certification.lifecycle.tasks",
}

SCRIPT = """
import json, django
django.setup()
from config.celery import app
app.loader.import_default_modules()
print(json.dumps({name: task.run.__module__ for name, task in app.tasks.items()
                  if name.startswith("certification.")}))
"""


def test_a_fresh_worker_registers_every_certification_task_under_its_old_name():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    registered = json.loads(out.stdout.strip().splitlines()[-1])
    assert registered == TASKS
