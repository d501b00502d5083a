"""Swagger UI works with no internet (its assets are served by PartyGrid), under the CSP,
and in production only after an administrator's own sign-in (T12)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text

from partygrid.config import Environment, Settings
from partygrid.main import bind_database, create_app

PASSWORD = "Docs-Reader-2026!x"


def referenced_urls(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page)


def inline_scripts(page: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", page, re.DOTALL)


def csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


async def test_every_asset_of_the_docs_is_served_by_the_app_itself(
    anonymous_client: httpx.AsyncClient,
) -> None:
    page = await anonymous_client.get("/docs")
    assert page.status_code == 200
    urls = referenced_urls(page.text)
    assert any(url.endswith(".js") for url in urls) and any(url.endswith(".css") for url in urls)
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), f"{url} is not this server's"
        asset = await anonymous_client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 0, url
    # The script it starts with loads the document from this server too.
    assert "url: '/openapi.json'" in page.text


async def test_the_content_security_policy_lets_swagger_ui_run(
    anonymous_client: httpx.AsyncClient,
) -> None:
    for path in ("/docs", "/docs/oauth2-redirect"):
        page = await anonymous_client.get(path)
        policy = page.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        scripts = directives["script-src"].split()
        assert "'self'" in scripts  # swagger-ui-bundle.js, from this server
        for script in inline_scripts(page.text):  # the start-up script, by its hash only
            assert csp_hash(script) in scripts, path
        assert "'self'" in directives["style-src"] and "'self'" in directives["connect-src"]
        assert "data:" in directives["img-src"]  # swagger-ui.css draws its icons as data: URIs


# --- production: the docs behind a sign-in of their own --------------------------------


def production_settings() -> Settings:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    return Settings(
        environment=Environment.production, database_url=None, sweep_seconds=0,
        secret_key=secrets.token_urlsafe(32), index_key=secrets.token_urlsafe(32),
        audit_key=secrets.token_urlsafe(32), data_keys=f"p1:{key}", _env_file=None,
    )  # type: ignore[call-arg]  # fmt: skip


@pytest.fixture
def production_app(engine, sessionmaker, database_url: str):
    from partygrid.repo.migrations import head_revision

    settings = production_settings()
    application = create_app(settings)
    bind_database(application, engine, sessionmaker)
    application.state.migration_head = head_revision(settings, database_url)
    return application


@pytest.fixture
async def browser(production_app) -> AsyncIterator[httpx.AsyncClient]:
    """A browser: keeps cookies, does not follow redirects by itself."""
    transport = httpx.ASGITransport(app=production_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def sign_in(browser: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await browser.post(
        "/docs/login", data={"username": username, "password": password, "totp": ""}
    )


@pytest.mark.parametrize("path", ["/docs", "/openapi.json", "/redoc"])
async def test_production_docs_are_closed_to_anonymous_callers(
    browser: httpx.AsyncClient, path: str
) -> None:
    response = await browser.get(path)
    assert response.status_code in {401, 404}
    assert '"openapi"' not in response.text and "SwaggerUIBundle" not in response.text


async def test_production_docs_offer_a_sign_in_form(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/docs")
    assert response.status_code == 401
    assert 'action="/docs/login"' in response.text and 'type="password"' in response.text
    assert response.headers["WWW-Authenticate"]


async def test_an_admin_signs_in_and_reads_the_docs(browser: httpx.AsyncClient, make_user) -> None:
    await make_user("docs.admin", PASSWORD, role="security_admin")
    signed_in = await sign_in(browser, "docs.admin", PASSWORD)
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/docs"
    cookie = signed_in.headers["Set-Cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=1800" in cookie
    assert (await browser.get("/docs")).status_code == 200
    document = await browser.get("/openapi.json")
    assert document.status_code == 200 and document.json()["openapi"].startswith("3.")


async def test_a_wrong_password_opens_nothing(browser: httpx.AsyncClient, make_user) -> None:
    await make_user("docs.admin", PASSWORD, role="system_admin")
    refused = await sign_in(browser, "docs.admin", PASSWORD + "wrong")
    assert refused.status_code == 401
    assert "set-cookie" not in refused.headers
    assert (await browser.get("/openapi.json")).status_code == 401


async def test_the_docs_are_for_administrators(browser: httpx.AsyncClient, make_user) -> None:
    await make_user("docs.worker", PASSWORD, role="grid_worker")
    refused = await sign_in(browser, "docs.worker", PASSWORD)
    assert refused.status_code == 403
    assert "set-cookie" not in refused.headers
    assert (await browser.get("/openapi.json")).status_code == 401


async def test_the_failed_sign_in_is_on_the_audit_trail(
    browser: httpx.AsyncClient, make_user, connection
) -> None:
    user_id = await make_user("docs.admin", PASSWORD, role="auditor")
    await sign_in(browser, "docs.admin", "not-the-password-1A!")
    outcome = await connection.scalar(
        text(
            "SELECT outcome FROM audit_events WHERE action = 'auth.login' AND resource_id = :u "
            "ORDER BY id DESC LIMIT 1"
        ),
        {"u": str(user_id)},
    )
    assert outcome == "denied"


async def test_the_docs_close_when_the_session_ends(
    browser: httpx.AsyncClient, make_user, connection
) -> None:
    user_id = await make_user("docs.admin", PASSWORD, role="district_admin")
    await sign_in(browser, "docs.admin", PASSWORD)
    assert (await browser.get("/openapi.json")).status_code == 200
    await connection.execute(
        text("UPDATE auth_sessions SET revoked_at = now() WHERE user_id = :u"), {"u": user_id}
    )
    assert (await browser.get("/openapi.json")).status_code == 401


async def test_the_docs_cookie_is_not_an_api_token_nor_the_reverse(
    browser: httpx.AsyncClient, make_user
) -> None:
    await make_user("docs.admin", PASSWORD, role="security_admin")
    signed_in = await sign_in(browser, "docs.admin", PASSWORD)
    docs_token = signed_in.cookies["partygrid_docs"]
    api = await browser.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {docs_token}"})
    assert api.status_code == 401
    browser.cookies.clear()
    login = await browser.post(
        "/api/v1/auth/token", data={"username": "docs.admin", "password": PASSWORD}
    )
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await browser.get("/api/v1/auth/me", headers=bearer)).status_code == 200
    assert (await browser.get("/openapi.json", headers=bearer)).status_code == 401
