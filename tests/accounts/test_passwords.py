"""Password rules, argon2 hashing and the TOTP code check: no database."""

from __future__ import annotations

import pyotp
import pytest
from argon2 import PasswordHasher

from partygrid.domain.access import Role
from partygrid.domain.accounts.model import PendingStep, User, normalize_username
from partygrid.domain.accounts.passwords import check_password
from partygrid.domain.errors import InvalidValue
from partygrid.seed.demo.accounts import random_password
from partygrid.services.accounts import passwords, totp


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("Short-1a", "12 to 128 characters"),
        ("x" * 129, "12 to 128 characters"),
        ("alllowercaseletters", "at least three of"),
        ("lowercase-and-symbols", "at least three of"),
        ("12345678901234", "at least three of"),
        ("Wang.Jianhua-2026", "must not contain the username"),
        ("Password1234", "too common"),
    ],
)
def test_weak_passwords_are_refused_naming_the_rule(password: str, words: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        check_password(password, username="wang.jianhua")
    assert words in caught.value.detail
    assert caught.value.field == "body.password"
    assert password not in caught.value.detail


@pytest.mark.parametrize("password", ["Jinshatan-2026!", "haibin road 77 ALPHA", "海滨Road-2026x"])
def test_good_passwords_pass(password: str) -> None:
    check_password(password, username="wang.jianhua")


def test_a_hash_verifies_only_its_password() -> None:
    digest = passwords.hash_password("Jinshatan-2026!")
    assert digest.startswith("$argon2id$")
    assert passwords.verify_password(digest, "Jinshatan-2026!")
    assert not passwords.verify_password(digest, "Jinshatan-2026?")
    assert not passwords.needs_rehash(digest)


def test_anything_but_an_argon2_hash_never_verifies() -> None:
    for junk in ("not-a-real-hash", "", "$argon2id$v=19$m=1,t=1,p=1$bad"):
        assert not passwords.verify_password(junk, "anything")
        assert passwords.needs_rehash(junk)


def test_a_hash_with_old_parameters_asks_to_be_redone() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("Jinshatan-2026!")
    assert passwords.verify_password(weak, "Jinshatan-2026!")
    assert passwords.needs_rehash(weak)


async def test_the_async_helpers_and_the_timing_decoy() -> None:
    digest = await passwords.hash_password_async("Jinshatan-2026!")
    assert await passwords.verify_password_async(digest, "Jinshatan-2026!")
    await passwords.waste_a_verification("whatever")  # returns nothing, raises nothing


def test_demo_passwords_are_random_and_pass_the_rules() -> None:
    drawn = {random_password() for _ in range(20)}
    assert len(drawn) == 20
    for password in drawn:
        check_password(password, username="demo.grid")


def test_usernames_are_normalized_or_refused() -> None:
    assert normalize_username("  Wang.JianHua ") == "wang.jianhua"
    for bad in ("ab", "王建华", "has space", "x" * 65):
        with pytest.raises(InvalidValue):
            normalize_username(bad)


# --- TOTP -----------------------------------------------------------------------------

SECRET = pyotp.random_base32()
NOW = 1_800_000_000.0
STEP = pyotp.TOTP(SECRET).timecode(NOW)


def code(step: int) -> str:
    return pyotp.TOTP(SECRET).generate_otp(step)


def test_a_code_matches_within_one_step_either_side() -> None:
    for offset in (-1, 0, 1):
        assert totp.matching_step(SECRET, code(STEP + offset), now=NOW) == STEP + offset
    for offset in (-3, -2, 2, 3):
        other = code(STEP + offset)
        if all(other != code(STEP + d) for d in (-1, 0, 1)):
            assert totp.matching_step(SECRET, other, now=NOW) is None


def test_a_used_step_never_matches_again() -> None:
    assert totp.matching_step(SECRET, code(STEP), now=NOW, last_step=STEP) is None
    assert totp.matching_step(SECRET, code(STEP - 1), now=NOW, last_step=STEP - 1) is None
    assert totp.matching_step(SECRET, code(STEP + 1), now=NOW, last_step=STEP) == STEP + 1


@pytest.mark.parametrize("garbage", ["", "12345", "1234567", "abcdef", "12 345"])
def test_malformed_codes_never_match(garbage: str) -> None:
    assert totp.matching_step(SECRET, garbage, now=NOW) is None


def test_the_provisioning_uri_names_the_issuer_and_the_account() -> None:
    uri = totp.provisioning_uri(SECRET, "xu.ming")
    assert uri.startswith("otpauth://totp/PartyGrid:xu.ming?")
    assert f"secret={SECRET}" in uri and "issuer=PartyGrid" in uri


def _user(role: Role | None = None, **fields) -> User:
    return User(id=1, username="u", display_name="u", role=role, department=None,
                password_hash="h", **fields)  # fmt: skip


def test_the_steps_a_login_owes() -> None:
    assert _user().pending_steps(admin_totp_required=True) == ()
    assert _user(must_change_password=True).pending_steps(admin_totp_required=False) == (
        PendingStep.password_change,
    )
    admin = _user(role=Role.security_admin)
    assert admin.pending_steps(admin_totp_required=False) == ()
    assert admin.pending_steps(admin_totp_required=True) == (PendingStep.totp_enrollment,)
    enrolled = _user(role=Role.security_admin, totp_confirmed=True)
    assert enrolled.pending_steps(admin_totp_required=True) == ()
    worker = _user(role=Role.grid_worker)
    assert worker.pending_steps(admin_totp_required=True) == ()
