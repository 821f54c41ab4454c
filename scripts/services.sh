#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer: start them when installed
# but stopped, install them when absent and we are root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { [[ $(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null) == PONG ]]; }
wait_for() { for _ in $(seq 1 30); do "$1" && return 0; sleep 1; done; return 1; }
root() { [[ $(id -u) -eq 0 ]]; }

if ! command -v pg_isready >/dev/null || ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    root || { echo "error: PostgreSQL is not installed; install it or set DATABASE_URL" >&2; exit 1; }
    echo "Installing PostgreSQL"
    apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    fresh_pg=1
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n1)
  echo "Starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || pg_ctlcluster "$version" main start
  wait_for pg_up || { echo "error: PostgreSQL did not come up" >&2; exit 1; }
  if [[ -n ${fresh_pg:-} ]]; then
    # A fresh Debian cluster wants a password over TCP; the test URL uses postgres:postgres.
    su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
  fi
fi

if ! command -v redis-cli >/dev/null || ! redis_up; then
  if ! command -v redis-server >/dev/null; then
    root || { echo "error: Redis is not installed; install it or set REDIS_URL" >&2; exit 1; }
    echo "Installing Redis"
    apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  fi
  if ! redis_up; then
    echo "Starting Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_for redis_up || { echo "error: Redis did not come up" >&2; exit 1; }
  fi
fi
echo "PostgreSQL and Redis answer."
