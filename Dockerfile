# PartyGrid API. Give it a server with DATABASE_URL=postgresql://user:password@host:5432/db
# (PostgreSQL 15+ with the contrib extension ltree). Without DATABASE_URL it starts the
# embedded PostgreSQL from the pip-installed wheel inside the container, data in /data:
#   docker run --init -p 8000:8000 -v partygrid-data:/data partygrid
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
# PARTYGRID_SECRET_KEY, PARTYGRID_DATA_KEYS, PARTYGRID_INDEX_KEY and PARTYGRID_AUDIT_KEY
# (or override PARTYGRID_ENVIRONMENT=demo and add --demo to try it out).
ENV PARTYGRID_MIGRATIONS_DIR=/app/migrations \
    PARTYGRID_DATA_DIR=/data \
    PARTYGRID_ENVIRONMENT=production

USER partygrid
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
# Exec form: partygrid gets SIGTERM from `docker stop`, shuts down gracefully and stops
# the embedded server if it started one.
CMD ["partygrid", "serve", "--host", "0.0.0.0", "--port", "8000"]
