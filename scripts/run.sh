#!/usr/bin/env bash
# Migrate, compile translations, seed the demo data, then serve the portal with a Celery worker and
# the beat scheduler. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=${DEBUG:-true}
export PORT=${PORT:-8000}
bin=.venv/bin
export VAR_DIR=${VAR_DIR:-$PWD/var}
mkdir -p "$VAR_DIR"

$bin/python manage.py migrate --no-input
$bin/python manage.py compilemessages --ignore '.venv' -v0
if [[ ${DEBUG,,} =~ ^(1|true|yes|on)$ ]]; then
  $bin/python manage.py seed_demo
else
  $bin/python manage.py collectstatic --no-input -v0
  echo "DEBUG is off: demo accounts are not created (seed_demo --force would)."
fi

# Each of the three runs in a process group of its own (setsid), so a Ctrl-C or a SIGTERM sent to
# this script's group reaches only this script, which then stops each of them the way it expects:
# SIGTERM to the main process alone. (Sent to the whole group, the signal also hit the Celery pool's
# children; the worker's main process then hung in its warm shutdown and kept consuming the queue
# under var/ long after the portal was gone.) Whatever is still running after STOP_GRACE seconds
# gets SIGQUIT (Celery's cold shutdown: it cancels the running task and puts its message back in the
# queue, since tasks are acknowledged late, so the next start finishes it), then, 8 s later, SIGKILL to
# its whole group. The cold shutdown needs those seconds: seen taking 4 s from SIGQUIT to "Restoring 1
# unacknowledged message(s)" on a busy machine; killed after 2 s, the embedded broker's message was lost.
STOP_GRACE=${STOP_GRACE:-5}
pids=()
alive() { local p; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping…"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 $((STOP_GRACE * 10))); do alive || break; sleep 0.1; done
  if alive; then
    echo "Still running after ${STOP_GRACE} s: cold shutdown (SIGQUIT)…"
    kill -QUIT "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 80); do alive || break; sleep 0.1; done
    if alive; then echo "Still running 8 s after SIGQUIT: SIGKILL"; fi
  fi
  local p
  for p in "${pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

setsid $bin/celery -A config worker --loglevel=INFO --concurrency=2 --hostname="worker@%h" &
pids+=($!)
setsid $bin/celery -A config beat --loglevel=INFO --schedule "$VAR_DIR/celerybeat-schedule" &
pids+=($!)
setsid $bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers 3 --timeout 60 --access-logfile - &
pids+=($!)

cat <<MSG

  天津市市级高新技术企业认定 portal: http://127.0.0.1:$PORT/
  Demo accounts (password Demo-Pass-2026):
    municipal                    市工作小组办公室 (municipal office)
    official_120101 … _120119    区县工作小组, one per district (e.g. official_120116 滨海新区)
    expert01 … expert40          technical experts (five per 2016 top-level field)
    expert41 … expert50          financial experts
    ent_a, ent_b                 enterprises in 滨海新区
    cadre1, cadre2               帮扶干部 (the help ledger)
    organisation, org_binhai     组织部门: municipal, and 滨海新区 (reviews its district's ledgers)
  Press Ctrl-C to stop the web server, the worker and the scheduler.

MSG
# Stop everything as soon as one of the three exits.
wait -n "${pids[@]}"
