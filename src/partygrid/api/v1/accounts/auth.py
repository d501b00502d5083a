"""Logging in and out, and one's own account (登录、令牌与本人账号)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import Depends, Form, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from partygrid.api.deps import ReadUow, SettingsDep, Uow
from partygrid.api.errors import problem_responses
from partygrid.api.routing import PrefixRouter
from partygrid.api.security import authenticated, public
from partygrid.api.v1.accounts.schemas import (
    Me,
    PasswordChange,
    RefreshRequest,
    ScopeSummary,
    TokenResponse,
    TotpConfirm,
    TotpEnrollment,
)
from partygrid.domain.access import Actor
from partygrid.services.accounts import auth as svc
from partygrid.services.accounts.users import describe_principal

router = PrefixRouter(prefix="/auth", tags=["auth"])

# Routes that finish a login accept a limited token (one that owes a step).
Own = Annotated[Actor, Depends(authenticated(allow_pending=True))]


def _client(request: Request) -> svc.Client:
    return svc.Client(
        address=request.client.host if request.client else None,
        request_id=getattr(request.state, "request_id", None),
    )


def _totp_code(request: Request, form: OAuth2PasswordRequestForm, totp: str | None) -> str | None:
    """The code from the ``totp`` field, or else from the OAuth2 client secret: Swagger UI's
    Authorize dialog has no field of ours, but it has client_secret (sent in the body or
    as HTTP Basic), so an admin with a second factor can log in there too."""
    if totp:
        return totp
    if form.client_secret:
        return form.client_secret
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            return base64.b64decode(encoded, validate=True).decode().partition(":")[2] or None
        except (binascii.Error, UnicodeDecodeError):
            return None
    return None


def _token_response(pair: svc.TokenPair, response: Response) -> TokenResponse:
    response.headers["Cache-Control"] = "no-store"  # RFC 6749 §5.1
    return TokenResponse(
        access_token=pair.access_token, expires_in=pair.expires_in,
        refresh_token=pair.refresh_token, pending_steps=list(pair.pending),
    )  # fmt: skip


@router.post(
    "/token",
    response_model=TokenResponse,
    responses=problem_responses(401, 422),
    dependencies=[Depends(public("the login itself: username and password are the credentials"))],
)
async def login(
    request: Request,
    response: Response,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    uow: Uow,
    settings: SettingsDep,
    totp: Annotated[
        str | None,
        Form(description="6-digit code from the authenticator, for accounts with TOTP."),
    ] = None,
) -> TokenResponse:
    """Log in with username and password (OAuth2 password flow; the Authorize button of
    /docs uses it, with the TOTP code as client_secret). Any refusal is the same 401;
    five in a row lock the account."""
    pair = await svc.login(
        uow, settings, username=form.username, password=form.password,
        totp=_totp_code(request, form, totp), client=_client(request),
    )  # fmt: skip
    return _token_response(pair, response)


@router.post(
    "/refresh",
    response_model=TokenResponse,
    responses=problem_responses(401, 422),
    dependencies=[Depends(public("the refresh token in the body is the credential"))],
)
async def refresh_token(
    body: RefreshRequest, request: Request, response: Response, uow: Uow, settings: SettingsDep
) -> TokenResponse:
    """Trade a refresh token for a new pair; each refresh token works once, and a second
    use revokes the whole session."""
    pair = await svc.refresh(
        uow, settings, refresh_token=body.refresh_token, client=_client(request)
    )
    return _token_response(pair, response)


@router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(401, 422)
)
async def logout(actor: Own, uow: Uow) -> None:
    """End this session: its access and refresh tokens stop working at once."""
    await svc.logout(uow, actor)


@router.get("/me", response_model=Me, responses=problem_responses(401))
async def who_am_i(request: Request, actor: Own, uow: ReadUow) -> Me:
    """Who the caller is: role, permissions and scope (people and partner clients)."""
    account = await describe_principal(uow, actor)
    principal = actor.principal
    scope = ScopeSummary(
        organization_ids=sorted(g.organization_id for g in account.grants if g.organization_id),
        grid_ids=sorted(g.grid_id for g in account.grants if g.grid_id),
    )
    user = account.user
    return Me(
        kind=principal.kind, id=principal.id,
        username=user.username if user else principal.name,
        display_name=user.display_name if user else None, role=principal.role,
        permissions=sorted(p.value for p in principal.permissions), scope=scope,
        must_change_password=bool(user and user.must_change_password),
        totp_enabled=bool(user and user.totp_confirmed),
        pending_steps=list(getattr(request.state, "pending_steps", ())),
    )  # fmt: skip


@router.post(
    "/password", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(401, 422)
)
async def change_password(
    body: PasswordChange, actor: Own, uow: Uow, settings: SettingsDep
) -> None:
    """Change your own password; every other session of yours ends. A limited login
    (pending password_change) then refreshes to get a full token."""
    await svc.change_password(
        uow, settings, actor, old_password=body.old_password, new_password=body.new_password
    )


@router.post(
    "/totp/enroll", response_model=TotpEnrollment, responses=problem_responses(401, 409, 422)
)
async def enroll_totp(actor: Own, uow: Uow, response: Response) -> TotpEnrollment:
    """Start setting up a second factor: a secret for the authenticator app, shown once."""
    secret, uri = await svc.enroll_totp(uow, actor)
    response.headers["Cache-Control"] = "no-store"
    return TotpEnrollment(secret=secret, otpauth_uri=uri)


@router.post(
    "/totp/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 409, 422),
)
async def confirm_totp(body: TotpConfirm, actor: Own, uow: Uow) -> None:
    """Finish the setup with a current code; later logins need a code (form field totp)."""
    await svc.confirm_totp(uow, actor, code=body.code)
