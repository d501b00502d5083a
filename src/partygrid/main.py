"""The ASGI application: ``create_app(settings)`` wires routers, errors and the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from secure.middleware import SecureASGIMiddleware
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from partygrid import __version__
from partygrid.api import health
from partygrid.api.docs import inline_script_hashes, install_docs
from partygrid.api.errors import install_error_handlers
from partygrid.api.headers import security_headers
from partygrid.api.middleware import ConnectionLeaseMiddleware, RequestIdMiddleware
from partygrid.api.v1 import router as v1_router
from partygrid.api.v1.tickets import open311
from partygrid.config import Environment, Settings, get_settings
from partygrid.gc_tuning import tune_for_serving
from partygrid.logging import install_personal_data_filter
from partygrid.repo.connection_lease import LeaseYieldingSession
from partygrid.repo.database import (
    create_engine,
    create_sessionmaker,
    driver_connection_for,
    service_database_url,
)
from partygrid.repo.keyring import Keyring
from partygrid.repo.migrations import head_revision
from partygrid.repo.roles import may_rewrite_audit_trail
from partygrid.repo.uow import UnitOfWork
from partygrid.services.tickets.monitor import start_sweeper, stop_sweeper

DESCRIPTION = """
PartyGrid is the system of record for grid-based community party-building
(网格化党建): the organization tree, grids and their staff, party members.

* Errors are RFC 9457 `application/problem+json` with a stable `code`.
* Lists are cursor-paginated: pass `next_cursor` back as `cursor`.
* Updates accept `If-Match` with the ETag of your last read; a stale one gets 412.
* Personal data (ID numbers, phones, addresses) is masked in every response.
"""

TAGS = [
    {"name": "organizations", "description": "党组织: the organization tree"},
    {"name": "grids", "description": "网格: boundaries, point lookup and 1+1+N+X staff"},
    {"name": "members", "description": "党员: the five categories, transfers, mobile ledger"},
    {"name": "reports", "description": "Counts, sizing advice and coverage gaps"},
    {"name": "audit", "description": "审计: the append-only, hash-chained trail (auditors only)"},
    {"name": "auth", "description": "登录: OAuth2 password flow, rotating refresh tokens, TOTP"},
    {"name": "users", "description": "用户管理: accounts; roles and scopes (三员分立)"},
    {"name": "api-clients", "description": "接口客户端: partner systems signing with HMAC"},
    {"name": "public", "description": "公示: published results, no personal data, rate-limited"},
    {"name": "open311", "description": "Open311 GeoReport v2 facade (JSON and XML)"},
    {"name": "calendar", "description": "工作日历: official holiday schedules, working days"},
    {"name": "tickets", "description": "五件式民情工单: intake, workflow, timeline"},
    {"name": "catalogue", "description": "服务目录: ticket categories, attributes, deadlines"},
    {"name": "health", "description": "Probes"},
]


def _operation_id(route: APIRoute) -> str:
    # Stable, readable ids so generated clients don't change when paths do.
    return route.name


def bind_database(
    app: FastAPI,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
) -> None:
    """Point the app at a database: transactional sessions for use cases, autocommit
    ones for read-only use cases (no BEGIN/ROLLBACK round trips) and a bare driver
    connection for the principal lookup every request makes. Tests pass their one
    sessionmaker for all three."""
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker or create_sessionmaker(engine)
    app.state.autocommit_sessionmaker = sessionmaker or create_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        session_class=LeaseYieldingSession,  # gives the request's lease back first
    )
    app.state.driver_connection = driver_connection_for(engine, sessionmaker)


async def _connect_as_the_app_role(app: FastAPI, settings: Settings) -> None:
    """Bind the served app to the app role's connection. In production it holds no owner
    credentials and refuses a role that could rewrite the audit trail (`partygrid serve`
    says so in one line before it gets here; this guards any other way of serving)."""
    problems = settings.serving_problems()
    if problems:
        raise RuntimeError("; ".join(problems))
    url = service_database_url(settings)
    engine = create_engine(url, settings)
    if settings.environment is Environment.production:
        async with engine.connect() as connection:
            if await may_rewrite_audit_trail(connection):
                await engine.dispose()
                raise RuntimeError("the service's database role may rewrite the audit trail")
    bind_database(app, engine)
    app.state.migration_head = head_revision(settings, url)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    owns_engine = getattr(app.state, "engine", None) is None
    if owns_engine:
        await _connect_as_the_app_role(app, settings)
    sweeper = start_sweeper(
        settings, lambda: UnitOfWork(app.state.sessionmaker, app.state.keyring)
    )  # PARTYGRID_SWEEP_SECONDS: yellow/red supervision of soon-due and overdue tickets
    if owns_engine:  # a served app, not one a test binds to its own engine
        tune_for_serving()
    try:
        yield
    finally:
        await stop_sweeper(sweeper)
        if owns_engine:
            await app.state.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    install_personal_data_filter()  # no ID or mobile number reaches a log
    app = FastAPI(
        title="PartyGrid",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=_lifespan,
        generate_unique_id_function=_operation_id,
        # Swagger UI and the document are api/docs.py's: local assets, a login in production.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.keyring = Keyring.from_settings(settings)
    install_error_handlers(app)
    app.add_middleware(ConnectionLeaseMiddleware)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health.router)
    app.include_router(v1_router)
    app.include_router(open311.router)
    app.state.error_formats = {open311.PREFIX + "/": open311.error_response_for}
    install_docs(app, settings)
    # Outermost of ours, so every response gets them (a 500 gets them from its handler).
    app.state.security_headers = security_headers(
        behind_tls=settings.behind_tls, script_hashes=inline_script_hashes(app)
    )
    app.add_middleware(SecureASGIMiddleware, secure=app.state.security_headers)
    return app
