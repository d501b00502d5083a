# PartyGrid API, production by default, on PostgreSQL 15+ with the contrib extension ltree.
# Two steps with two credentials (README, Docker): migrate as the schema owner, then serve
# as the app role only, so the serving container cannot rewrite the audit trail:
#   docker run --rm -e DATABASE_URL=postgresql://owner:...@db/partygrid \
#     -e PARTYGRID_APP_DB_PASSWORD=... -e <keys> partygrid partygrid migrate
#   docker run --init -p 8000:8000 \
#     -e PARTYGRID_APP_DATABASE_URL=postgresql://partygrid_app:...@db/partygrid \
#     -e <keys> partygrid
# The demo runs the embedded PostgreSQL from the pip-installed wheel, data in /data:
#   docker run --init -p 8000:8000 -v partygrid-data:/data -e PARTYGRID_ENVIRONMENT=demo \
#     partygrid partygrid serve --host 0.0.0.0 --demo
# (--init reaps the embedded server's processes; the API itself is PID-1 safe.)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --user-group partygrid \
    && mkdir /data && chown partygrid:partygrid /data

# A regular (non-editable) install; the build context is left behind.
COPY pyproject.toml README.md /tmp/build/
COPY src /tmp/build/src
RUN pip install /tmp/build && rm -rf /tmp/build

WORKDIR /app
COPY alembic.ini ./
COPY migrations ./migrations

# The default migrations path is computed from the package location, which is
# site-packages here, so point it at the copy above.
# The image is for deployments: production refuses the development secrets, so pass
# PARTYGRID_SECRET_KEY, PARTYGRID_DATA_KEYS, PARTYGRID_INDEX_KEY and PARTYGRID_AUDIT_KEY,
# and `serve` refuses DATABASE_URL (the owner's, for `partygrid migrate` only): give it
# PARTYGRID_APP_DATABASE_URL (or override PARTYGRID_ENVIRONMENT=demo and add --demo).
ENV PARTYGRID_MIGRATIONS_DIR=/app/migrations \
    PARTYGRID_DATA_DIR=/data \
    PARTYGRID_ENVIRONMENT=production

USER partygrid
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
# Exec form: partygrid gets SIGTERM from `docker stop` and shuts down gracefully (the
# demo's embedded server with it). In production it migrates nothing: run `partygrid
# migrate` first, as above.
CMD ["partygrid", "serve", "--host", "0.0.0.0", "--port", "8000"]
