#!/usr/bin/env bash
# web: migrate, make sure every installed collection exists, then serve with gunicorn.
# worker: the Celery worker (bulk upload processing).
# beat: the periodic housekeeping schedule (run exactly one).
set -euo pipefail
case "${1:-web}" in
  web)
    python manage.py migrate_schemas --shared -v 0
    python manage.py ensure_collections
    python manage.py migrate_schemas --tenant -v 0
    if [ "${DCP_SEED_DEMO:-false}" = "true" ]; then python manage.py seed_demo; fi
    exec gunicorn dcp_platform.wsgi:application --bind 0.0.0.0:8000 --workers "${WEB_CONCURRENCY:-3}" \
      --access-logfile - --forwarded-allow-ips "*"
    ;;
  worker)
    exec celery -A dcp_platform.celery worker --loglevel=info --concurrency="${WORKER_CONCURRENCY:-2}"
    ;;
  beat)
    exec celery -A dcp_platform.celery beat --loglevel=info --schedule /tmp/celerybeat-schedule
    ;;
  *)
    exec "$@"
    ;;
esac
