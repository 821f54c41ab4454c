# Production image of the 天津市市级高新技术企业认定 portal. One image serves every role in
# docker-compose.yml: web (gunicorn, the default CMD), the Celery worker, the beat scheduler and the
# one-shot `migrate`. Build: `docker build -t tj-hightech-portal .` (docker compose builds it for you).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# WeasyPrint (PDFs) needs Pango and CJK fonts; libharfbuzz-subset0 lets it subset the Noto CJK fonts
# natively (a one-page Chinese PDF in ~0.2 s instead of ~12 s); gettext provides msgfmt for
# compilemessages. The same list as scripts/system-packages.sh.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        fonts-noto-cjk \
        libharfbuzz-subset0 \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        gettext \
 && rm -rf /var/lib/apt/lists/*

# The processes run as this unprivileged user; it may write only under /app/var.
RUN groupadd --system --gid 10001 portal \
 && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first, so editing the source does not reinstall them. Only the project metadata is
# copied at this point, so `pip install .` installs every dependency (pinned by requirements.lock)
# plus an empty distribution of the project itself; the code runs from /app (PYTHONPATH below).
COPY pyproject.toml requirements.lock README.md ./
RUN python -m venv /opt/venv \
 && pip install --quiet -c requirements.lock '.[s3]' \
 && rm -rf build ./*.egg-info

COPY . .

# Fixed paths inside the image: static files are part of the image (read-only, served by WhiteNoise),
# uploads go to /app/var/media (a volume in docker-compose.yml), other local state under /app/var.
ENV PYTHONPATH=/app \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/var/media \
    WEB_CONCURRENCY=3

# Translations and static files are built into the image. Settings refuse to load without a secret
# key and allowed hosts when DEBUG is off, so the build gets throwaway values that exist only for
# this RUN step (they are not baked into the image's environment), and a scratch VAR_DIR so no
# build-time SQLite path or broker folder is left behind.
RUN DEBUG=false \
    SECRET_KEY=build-only-throwaway-key-never-used-at-runtime-0123456789 \
    ALLOWED_HOSTS=localhost \
    VAR_DIR=/tmp/build-var \
    sh -c 'python manage.py compilemessages -v0 && python manage.py collectstatic --no-input -v0' \
 && rm -rf /tmp/build-var \
 && mkdir -p /app/var/media \
 && chown -R portal:portal /app/var \
 && chmod 750 /app/var /app/var/media

USER portal

EXPOSE 8000

# /healthz/ answers 200 after a `SELECT 1`; it is exempt from SECURE_SSL_REDIRECT, so plain HTTP from
# inside the container works. Django checks the Host header against ALLOWED_HOSTS, so the check sends
# the first concrete entry of ALLOWED_HOSTS (a leading-dot wildcard is trimmed; '*' or nothing: localhost).
# slim has no curl: Python's urllib does the request; any non-2xx answer raises and fails the check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os,urllib.request as r; h=next((x.strip().lstrip('.') for x in os.environ.get('ALLOWED_HOSTS','').split(',') if x.strip() and '*' not in x),'localhost'); r.urlopen(r.Request('http://127.0.0.1:8000/healthz/',headers={'Host':h}),timeout=4)"

# gunicorn reads its worker count from WEB_CONCURRENCY (default 3 above; override per deployment).
# --worker-tmp-dir /dev/shm keeps the worker heartbeat off the container's overlay filesystem.
CMD ["gunicorn", "config.wsgi", \
     "--bind", "0.0.0.0:8000", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-"]
