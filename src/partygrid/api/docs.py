"""Swagger UI, served by PartyGrid itself: its scripts and styles come from an installed
package (fastapi-offline ships swagger-ui-dist), so /docs works on a network closed to
the internet and loads no code from a CDN.

In production, /docs and /openapi.json are for administrators only: /docs answers 401
with a sign-in form of its own (the account's password, and its TOTP code when it has
one, checked by the login use case with its lockout and audit), which sets a short-lived
HttpOnly cookie naming the login session. The API itself still takes bearer tokens (the
Authorize button); the cookie opens nothing but the docs.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from partygrid.api.deps import get_uow
from partygrid.api.errors import problem_response, status_of
from partygrid.api.middleware import connection_lease
from partygrid.api.rate_limit import rate_limited
from partygrid.api.security import public
from partygrid.config import Environment, Settings
from partygrid.domain.access import ADMIN_ROLES
from partygrid.domain.errors import DomainError
from partygrid.repo.accounts.principals import load_user_principal
from partygrid.services.accounts import auth
from partygrid.services.accounts.docs_tokens import decode_docs_token, issue_docs_token
from partygrid.services.accounts.tokens import decode_access_token

DOCS = "/docs"
OPENAPI = "/openapi.json"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
LOGIN = "/docs/login"
ASSETS = "/docs/assets"
COOKIE = "partygrid_docs"
# swagger-ui-bundle.js, swagger-ui.css and favicon.png (swagger-ui-dist 5), as installed.
ASSET_DIR = files("fastapi_offline") / "static"


def docs_login_required(settings: Settings) -> bool:
    return settings.environment is Environment.production


def swagger_page(app: FastAPI) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=OPENAPI,
        title=f"{app.title} - Swagger UI",
        oauth2_redirect_url=OAUTH2_REDIRECT,
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon.png",
        swagger_ui_parameters=app.swagger_ui_parameters,
    )


_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def inline_script_hashes(app: FastAPI) -> list[str]:
    """CSP sources for the inline scripts of the docs pages (Swagger UI's start-up and
    the OAuth2 redirect), so that no other inline script may run."""
    pages = [swagger_page(app).body, get_swagger_ui_oauth2_redirect_html().body]
    scripts = [script for page in pages for script in _INLINE_SCRIPT.findall(bytes(page))]
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in scripts
    ]


async def _has_docs_session(request: Request) -> bool:
    """Whether the request carries the docs cookie of a live session of an administrator
    (the role and the session are read again each time, so a logout or a role taken away
    closes the docs at once)."""
    settings: Settings = request.app.state.settings
    claims = decode_docs_token(settings, request.cookies.get(COOKIE, ""))
    if claims is None:
        return False
    return await _is_admin_session(request, claims.user_id, claims.session_id)


async def _is_admin_session(request: Request, user_id: int, session_id: int) -> bool:
    async with connection_lease(request).use() as connection:
        principal = await load_user_principal(connection, user_id, session_id)
    return principal is not None and principal.role in ADMIN_ROLES


def _sign_in_page(status: int, message: str) -> HTMLResponse:
    # No inline script or style: the page lives under the same CSP as Swagger UI.
    body = f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>PartyGrid API docs: sign in</title>
<link rel="icon" href="{ASSETS}/favicon.png"></head>
<body><main>
<h1>PartyGrid API docs</h1>
<p>{html.escape(message)}</p>
<form method="post" action="{LOGIN}">
<p><label>Username <input name="username" autocomplete="username" required maxlength="64"></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="128"></label></p>
<p><label>TOTP code <input name="totp" inputmode="numeric" autocomplete="one-time-code" maxlength="8"></label>
(accounts with a second factor)</p>
<p><button type="submit">Sign in</button></p>
</form>
<p>For administrators. In Swagger UI, the Authorize button then logs in to the API itself.</p>
</main></body>
</html>
"""  # noqa: E501
    headers = {"WWW-Authenticate": f'Cookie realm="PartyGrid docs", form-action="{LOGIN}"'}
    return HTMLResponse(body, status_code=status, headers=headers)


router = APIRouter(include_in_schema=False)


@router.get(DOCS)
async def swagger_ui(request: Request) -> Response:
    """Swagger UI (in production, after the docs sign-in)."""
    if docs_login_required(request.app.state.settings) and not await _has_docs_session(request):
        return _sign_in_page(401, "Sign in with an administrator's account to read the API docs.")
    return swagger_page(request.app)


@router.get(OAUTH2_REDIRECT)
async def swagger_ui_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 redirect page (static)."""
    return get_swagger_ui_oauth2_redirect_html()


@router.get(OPENAPI)
async def openapi_document(request: Request) -> Response:
    """The OpenAPI document (in production, after the docs sign-in)."""
    if docs_login_required(request.app.state.settings) and not await _has_docs_session(request):
        return problem_response(
            request, 401, "docs-login-required",
            f"the API description is for administrators: sign in at {DOCS}",
        )  # fmt: skip
    return JSONResponse(request.app.openapi())


@router.post(
    LOGIN,
    dependencies=[
        Depends(public("the docs sign-in itself: password and TOTP are the credentials")),
        Depends(rate_limited("docs-login")),
    ],
)
async def docs_login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=128)],
    totp: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Sign in to the docs: the login use case decides, as for a token."""
    state = request.app.state
    client = auth.Client(
        address=request.client.host if request.client else None,
        request_id=getattr(request.state, "request_id", None),
    )
    try:
        pair = await auth.login(
            await get_uow(request), state.settings, username=username, password=password,
            totp=totp or None, client=client,
        )  # fmt: skip
    except DomainError as refused:
        return _sign_in_page(status_of(refused), refused.detail)
    # A login that still owes a step (TOTP enrollment, a password change) may read the
    # docs: it finishes those steps in Swagger UI.
    claims = decode_access_token(state.settings, pair.access_token, allow_pending=True)
    if not await _is_admin_session(request, claims.user_id, claims.session_id):
        return _sign_in_page(403, "The API docs are for administrators.")
    response = RedirectResponse(DOCS, status_code=303)
    response.set_cookie(
        COOKIE,
        issue_docs_token(state.settings, user_id=claims.user_id, session_id=claims.session_id),
        max_age=state.settings.docs_session_minutes * 60,
        path="/",
        secure=state.settings.behind_tls,
        httponly=True,
        samesite="strict",
    )
    return response


def install_docs(app: FastAPI, settings: Settings) -> None:
    """Swagger UI at /docs with its assets, and /openapi.json; nothing when docs are off."""
    if not settings.docs_enabled:
        return
    app.mount(ASSETS, StaticFiles(directory=str(ASSET_DIR)), name="docs-assets")
    app.include_router(router)
