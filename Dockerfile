# ngo-cases production image: gunicorn (web), celery worker and beat share it.
# Exact version tags (the Python of requirements/*.txt's lock); pin the digest too when you build for
# production: `docker buildx imagetools inspect python:3.11.7-slim-bookworm` (docs/operations.md).
FROM python:3.11.7-slim-bookworm

# RUN lines with a pipe fail when any part of it fails
SHELL ["/bin/bash", "-o", "pipefail", "-c"]

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=ngo_cases.settings.production \
    NGO_VAR_DIR=/app/var

# A fixed numeric id, so that volumes (the erasure ledger) and the host agree on who owns what.
RUN groupadd --system --gid 10001 ngo \
    && useradd --system --uid 10001 --gid ngo --home-dir /app --shell /usr/sbin/nologin ngo
WORKDIR /app

COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes --no-deps -r requirements/base.txt

COPY . .
# collectstatic needs settings to import; these throwaway values never reach a running container.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid/build CELERY_BROKER_URL=redis://build.invalid \
    REDIS_URL=redis://build.invalid NGO_MASTER_KEYS=1:$(head -c32 /dev/urandom | base64) \
    NGO_BLIND_INDEX_KEY=$(head -c32 /dev/urandom | base64) python manage.py collectstatic --noinput \
    && mkdir -p /app/var /var/lib/ngo-cases/ledger /var/lib/ngo-cases/attachments && chown -R ngo:ngo /app/var /var/lib/ngo-cases

USER 10001:10001
EXPOSE 8000
CMD ["gunicorn", "ngo_cases.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(L)s"]
