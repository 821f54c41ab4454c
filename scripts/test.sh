#!/usr/bin/env bash
# The whole suite against PostgreSQL and Redis; browser tests drive Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
export DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/portal}
export REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
export DEBUG=false
export SECRET_KEY=${SECRET_KEY:-test-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export ALLOWED_HOSTS=localhost,127.0.0.1,testserver
export SECURE_SSL_REDIRECT=false SECURE_COOKIES=false
export OTP_REQUIRED=false ALLOW_INSECURE_TEST_SETTINGS=true  # 2FA tests turn it on per test
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # Playwright's sync API runs an event loop in the test thread
mkdir -p var/test-artifacts
$bin/python manage.py compilemessages --ignore '.venv' -v0
# The check needs a database that exists; the maintenance database always does.
DATABASE_URL=${DATABASE_URL%/*}/postgres $bin/python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "error: models and migrations differ; run makemigrations" >&2; exit 1; }
exec $bin/pytest "$@"
