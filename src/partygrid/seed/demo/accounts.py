"""Demo accounts: one person per role (except partner_system) and one partner API client,
scoped to the demo street so that each role shows what it sees.

Passwords and the client secret are random for each install, printed once when made and
stored only as an argon2 hash (the secret encrypted); ``--new-passwords`` makes new ones.
Only for the demo and development environments: a production deployment never gets
accounts whose passwords were printed on a console.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from partygrid.domain.access import Permission, Role, Scope, system_actor
from partygrid.domain.accounts.passwords import check_password
from partygrid.domain.errors import DomainError, InvalidValue
from partygrid.repo.uow import UnitOfWork
from partygrid.seed.demo import ROOT_CODE, STREET_CODE
from partygrid.services.accounts import api_clients
from partygrid.services.accounts.passwords import hash_password_async
from partygrid.services.accounts.users import snapshot

UowFactory = Callable[[], UnitOfWork]
ACTOR = system_actor(Scope(), "partygrid demo")


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    orgs: tuple[str, ...] = ()  # organization codes
    grids: tuple[str, ...] = ()  # grid codes
    department: str | None = None


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo.district", "区委组织部（演示）", Role.district_admin, orgs=(ROOT_CODE,)),
    DemoAccount("demo.street", "金沙滩街道党工委（演示）", Role.street_admin, orgs=(STREET_CODE,)),
    DemoAccount("demo.community", "海滨社区党委（演示）", Role.community_admin, orgs=("DEMO-C1",)),
    DemoAccount(
        "demo.grid", "网格员 李晓燕（演示）", Role.grid_worker,
        grids=("DEMO-GRID-C1-1", "DEMO-GRID-C1-2"),
    ),
    DemoAccount(
        "demo.department", "专业网格员 张伟（演示）", Role.department_worker,
        grids=("DEMO-GRID-C1-1",), department="区城管局",
    ),
    DemoAccount("demo.auditor", "审计管理员（演示）", Role.auditor),
    DemoAccount("demo.sysadmin", "系统管理员（演示）", Role.system_admin),
    DemoAccount("demo.secadmin", "安全管理员（演示）", Role.security_admin),
)  # fmt: skip
DEMO_PARTNER = "演示：金沙滩派出所警务平台"
DEMO_PARTNER_SCOPE = STREET_CODE
# What the police platform of the demo does: look up the tree, grids, members and
# tickets of the street, and file residents' requests (警情转办).
DEMO_PARTNER_PERMISSIONS = frozenset(
    {Permission.org_read, Permission.grid_read, Permission.member_read,
     Permission.ticket_read, Permission.ticket_submit}
)  # fmt: skip


@dataclass(slots=True)
class DemoAccountsSummary:
    passwords: list[tuple[str, str, str]] = field(default_factory=list)  # made this run
    present: list[str] = field(default_factory=list)  # usernames kept as they were
    partner: tuple[str, str, str | None] | None = None  # name, key id, secret if new

    def lines(self) -> list[str]:
        lines: list[str] = []
        if self.passwords:
            width = max(len(u) for u, _, _ in self.passwords)
            lines.append("demo accounts (shown once; stored only as hashes):")
            lines.append(f"  {'username':<{width}}  {'role':<17}  password")
            lines += [f"  {u:<{width}}  {r:<17}  {p}" for u, r, p in self.passwords]
        if self.present:
            lines.append(
                f"{len(self.present)} demo accounts already exist; their passwords were shown "
                "when they were made (`partygrid demo --new-passwords` makes new ones)"
            )
        if self.partner is not None:
            name, key_id, secret = self.partner
            if secret is not None:
                lines.append(f"demo partner client {name}: key id {key_id}, secret {secret} "
                             "(shown once)")  # fmt: skip
            else:
                lines.append(
                    f"demo partner client {name}: key id {key_id} (secret shown when made)"
                )
        return lines


def random_password() -> str:
    """Random, and passing the rules (a draw that misses a class is drawn again)."""
    while True:
        candidate = secrets.token_urlsafe(12)
        try:
            check_password(candidate, username="demo")
        except InvalidValue:
            continue
        return candidate


async def _resolve(uow: UnitOfWork, spec: DemoAccount) -> tuple[list[int], list[int]]:
    orgs, grids = [], []
    for code in spec.orgs:
        org_id = await uow.scopes.organization_id_by_code(code)
        if org_id is None:
            raise DomainError(f"demo organization {code} is missing: load the demo street first")
        orgs.append(org_id)
    for code in spec.grids:
        grid_id = await uow.scopes.grid_id_by_code(code)
        if grid_id is None:
            raise DomainError(f"demo grid {code} is missing: load the demo street first")
        grids.append(grid_id)
    return orgs, grids


async def _account(
    uow_factory: UowFactory, spec: DemoAccount, new_password: bool, summary: DemoAccountsSummary
) -> None:
    """One account in one transaction: the user, role and scope together, or nothing."""
    async with uow_factory() as uow:
        user = await uow.users.get_by_username(spec.username, for_update=True)
        if user is not None and not new_password:
            summary.present.append(spec.username)
            return
        password = random_password()
        password_hash = await hash_password_async(password)
        if user is not None:
            await uow.users.update_fields(
                user.id, password_hash=password_hash, must_change_password=False,
                failed_logins=0, locked_until=None,
            )  # fmt: skip
            await uow.users.revoke_sessions_of(user.id, "password-reset")
            uow.audit.record(ACTOR, "user.password_reset", "user", user.id,
                             reason="demo: new passwords")  # fmt: skip
        else:
            orgs, grids = await _resolve(uow, spec)
            user = await uow.users.add(
                username=spec.username, display_name=spec.display_name, role=spec.role,
                department=spec.department, password_hash=password_hash,
                must_change_password=False,
            )  # fmt: skip
            for org_id in orgs:
                await uow.scopes.grant(user_id=user.id, organization_id=org_id)
            for grid_id in grids:
                await uow.scopes.grant(user_id=user.id, grid_id=grid_id)
            uow.audit.record(
                ACTOR, "user.create", "user", user.id, after=snapshot(user),
                reason=f"demo account; scope {', '.join(spec.orgs + spec.grids) or 'none'}",
            )  # fmt: skip
        await uow.commit()
    summary.passwords.append((spec.username, spec.role.value, password))


async def _partner(uow_factory: UowFactory, new_secret: bool, summary: DemoAccountsSummary) -> None:
    """The partner client and its scope, made in one transaction."""
    async with uow_factory() as uow:
        existing = await uow.api_clients.get_by_name(DEMO_PARTNER)
        if existing is None:
            street_id = await uow.scopes.organization_id_by_code(DEMO_PARTNER_SCOPE)
            if street_id is None:
                raise DomainError(f"demo organization {DEMO_PARTNER_SCOPE} is missing")
            secret = api_clients.new_secret()
            client = await uow.api_clients.add(
                name=DEMO_PARTNER, key_id=api_clients.new_key_id(), secret=secret
            )
            await uow.scopes.grant(client_id=client.id, organization_id=street_id)
            for permission in DEMO_PARTNER_PERMISSIONS:
                await uow.api_clients.grant_permission(client.id, permission)
            held = ", ".join(sorted(DEMO_PARTNER_PERMISSIONS))
            uow.audit.record(
                ACTOR, "api_client.create", "api_client", client.id,
                reason=f"demo partner; scope {DEMO_PARTNER_SCOPE}; {held}",
            )  # fmt: skip
            await uow.commit()
            summary.partner = (DEMO_PARTNER, client.key_id, secret)
            return
    rotated: str | None = None
    if new_secret:
        _, rotated = await api_clients.rotate_secret(uow_factory(), ACTOR, client_id=existing.id)
    summary.partner = (DEMO_PARTNER, existing.key_id, rotated)


async def load_demo_accounts(
    uow_factory: UowFactory, *, new_passwords: bool = False
) -> DemoAccountsSummary:
    """Create the demo accounts that are missing (and, if asked, new passwords for all)."""
    summary = DemoAccountsSummary()
    for spec in DEMO_ACCOUNTS:
        await _account(uow_factory, spec, new_passwords, summary)
    await _partner(uow_factory, new_passwords, summary)
    return summary
