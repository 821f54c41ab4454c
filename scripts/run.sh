#!/usr/bin/env bash
# Migrate, compile translations, seed the demo data, then serve the portal with a Celery worker and
# the beat scheduler. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=${DEBUG:-true}
export PORT=${PORT:-8000}
bin=.venv/bin
mkdir -p var

$bin/python manage.py migrate --no-input
$bin/python manage.py compilemessages --ignore '.venv' -v0
if [[ ${DEBUG,,} =~ ^(1|true|yes|on)$ ]]; then
  $bin/python manage.py seed_demo
else
  $bin/python manage.py collectstatic --no-input -v0
  echo "DEBUG is off: demo accounts are not created (seed_demo --force would)."
fi

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping…"
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

$bin/celery -A config worker --loglevel=INFO --concurrency=2 --hostname="worker@%h" &
pids+=($!)
$bin/celery -A config beat --loglevel=INFO --schedule var/celerybeat-schedule &
pids+=($!)
$bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers 3 --timeout 60 --access-logfile - &
pids+=($!)

cat <<MSG

  天津市市级高新技术企业认定 portal: http://127.0.0.1:$PORT/
  Demo accounts (password Demo-Pass-2026):
    municipal                    市工作小组办公室 (municipal office)
    official_120101 … _120119    区县工作小组, one per district (e.g. official_120116 滨海新区)
    expert01 … expert40          technical experts (five per 2016 top-level field)
    expert41 … expert50          financial experts
    ent_a, ent_b                 enterprises in 滨海新区
  Press Ctrl-C to stop the web server, the worker and the scheduler.

MSG
# Stop everything as soon as one of the three exits.
wait -n "${pids[@]}"
