"""The first accounts of a real deployment, made at the console (``partygrid
create-admin``): the API cannot make them, since every API route needs an account."""

from __future__ import annotations

from dataclasses import dataclass

from partygrid.domain.access import UNSCOPED_ROLES, Role, Scope, system_actor
from partygrid.domain.accounts.model import User, check_assignable, normalize_username
from partygrid.domain.accounts.passwords import check_password
from partygrid.domain.errors import Conflict, RuleViolation
from partygrid.domain.organizations.model import Organization, OrgKind, OrgStatus
from partygrid.repo.uow import UnitOfWork
from partygrid.services.accounts.passwords import hash_password_async
from partygrid.services.accounts.users import snapshot
from partygrid.services.organizations.use_cases import NewOrganization, add_organization

ACTOR = system_actor(Scope(), "partygrid create-admin")


@dataclass(frozen=True, slots=True)
class NewAdmin:
    username: str
    display_name: str
    role: Role
    password: str
    root_org_name: str | None = None  # a district committee, found or created
    org_id: int | None = None
    must_change_password: bool = False


@dataclass(frozen=True, slots=True)
class AdminCreated:
    user: User
    organization: Organization | None
    organization_created: bool


def check_admin_request(new: NewAdmin) -> str:
    """What can be refused before asking for the password or touching the database;
    returns the normalized username."""
    username = normalize_username(new.username, field="--username")
    check_assignable(new.role)
    scoped = new.root_org_name is not None or new.org_id is not None
    if new.root_org_name is not None and new.org_id is not None:
        raise RuleViolation("give --root-org-name or --org, not both", rule="one-target")
    if new.role in UNSCOPED_ROLES and scoped:
        raise RuleViolation(f"the role {new.role} takes no scope", rule="role-takes-no-scope")
    if new.role not in UNSCOPED_ROLES and not scoped:
        raise RuleViolation(
            f"the role {new.role} sees nothing without a scope: give --root-org-name or --org",
            rule="scope-required",
        )
    return username


async def _root(uow: UnitOfWork, name: str) -> tuple[Organization, bool]:
    """The active district committee of this name, or a new one."""
    kind = OrgKind.district_committee
    found = await uow.organizations.active_root_named(kind, name)
    if found is not None:
        return found, False
    return await add_organization(uow, actor=ACTOR, new=NewOrganization(kind, name)), True


async def create_admin(uow: UnitOfWork, new: NewAdmin) -> AdminCreated:
    """An account with its role (and scope) at once: at the console the operator is both
    administrators, so the API's separation of duties has no one to separate yet."""
    username = check_admin_request(new)
    check_password(new.password, username=username, field="password")
    async with uow:
        if await uow.users.get_by_username(username) is not None:
            raise Conflict(f"the username {username} is taken", rule="username-unique")
        org: Organization | None = None
        created = False
        if new.root_org_name is not None:
            org, created = await _root(uow, new.root_org_name.strip())
        elif new.org_id is not None:
            org = await uow.organizations.get_for_rule(new.org_id)
            if org is None or org.status is not OrgStatus.active:
                raise RuleViolation(f"no active organization {new.org_id}",
                                    rule="scope-target-exists")  # fmt: skip
        user = await uow.users.add(
            username=username, display_name=new.display_name, role=new.role,
            password_hash=await hash_password_async(new.password),
            must_change_password=new.must_change_password,
        )  # fmt: skip
        if org is not None:
            await uow.scopes.grant(user_id=user.id, organization_id=org.id)
        uow.audit.record(
            ACTOR, "user.create", "user", user.id, after=snapshot(user),
            reason=f"bootstrap at the console; scope {org.id if org else 'none'}",
        )  # fmt: skip
        await uow.commit()
        return AdminCreated(user, org, created)
