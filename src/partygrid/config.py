"""Settings, read once from the environment (prefix ``PARTYGRID_``) and ``.env``."""

from __future__ import annotations

import math
from collections import Counter
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import platformdirs
from limits import parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]

# Development secrets: usable on a laptop and in the demo, refused anywhere else.
DEV_SECRET_KEY = "dev-only-jwt-secret-change-me-0000000000000000"
DEV_DATA_KEYS = "dev1:ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE="
DEV_INDEX_KEY = "dev-only-index-key-change-me"
DEV_AUDIT_KEY = "dev-only-audit-key-change-me"


# Keys that sign tokens, index ID numbers and chain the audit trail. 32 characters of
# `openssl rand -base64 32` (44) or `openssl rand -hex 16` pass with room to spare.
MIN_KEY_CHARS = 32
# What the key's own character frequencies say it holds (length x Shannon entropy): 16
# random bytes in hex score 89-140 bits, 32 in base64 190-230; "k" * 40 scores 0.
MIN_KEY_BITS = 80
KEY_HINT = "make one with `openssl rand -base64 32`"


def _estimated_bits(value: str) -> float:
    counts = Counter(value)
    return -sum(n * math.log2(n / len(value)) for n in counts.values())


def _repeats_a_unit(value: str) -> bool:
    """"abcabcabc": the text occurs in itself rotated, so it is one unit repeated."""
    return value in (value + value)[1:-1]


def key_problem(name: str, value: str) -> str | None:
    """Why a key is unfit for production, naming the setting and never the key."""
    if len(value) < MIN_KEY_CHARS:
        return f"{name} must be at least {MIN_KEY_CHARS} characters ({KEY_HINT})"
    if _repeats_a_unit(value) or _estimated_bits(value) < MIN_KEY_BITS:
        return f"{name} looks guessable: few different characters or a pattern ({KEY_HINT})"
    return None


class Environment(StrEnum):
    development = "development"
    demo = "demo"
    test = "test"
    production = "production"


ENV_CONFIG = SettingsConfigDict(env_prefix="PARTYGRID_", env_file=".env", extra="ignore")


class Settings(BaseSettings):
    model_config = ENV_CONFIG

    # Unset means production: a deployment that forgets the variable must not run on the
    # development secrets. Laptops say development; `serve --demo` says demo itself.
    environment: Environment = Environment.production
    # DATABASE_URL is the conventional name partner ops teams already set, so it is
    # read without the prefix; unset means "start the embedded server".
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    data_dir: Path = Field(default_factory=lambda: platformdirs.user_data_path("partygrid"))
    migrations_dir: Path = REPO_ROOT / "migrations"

    # A fixed pool: SQLAlchemy closes an overflow connection whenever it comes back to a
    # pool already holding pool_size idle ones. Under 64 callers that was about four new
    # connections a second, each a new backend, its startup and a cold statement cache
    # (member reads at 64 connections: 328 -> 404 req/s; bench/RESULTS.md, What was fixed).
    pool_size: int = 30
    pool_max_overflow: int = 0
    default_page_size: int = 50
    max_page_size: int = 200
    # Whether the API returns Swagger UI; off is sensible for an internet-facing node.
    docs_enabled: bool = True
    # In production Swagger UI and /openapi.json need a docs login (api/docs.py): an
    # administrator's password (and TOTP), giving a cookie that lasts this long.
    docs_session_minutes: int = Field(default=30, ge=1, le=720)
    # The deployment is reached over HTTPS only (a TLS-terminating proxy in front): send
    # Strict-Transport-Security and mark the docs cookie Secure.
    behind_tls: bool = False

    # The service connects as this less-privileged role (no UPDATE/DELETE on the audit
    # trail); DATABASE_URL is the schema owner that runs migrations. Unset
    # app_database_url means "DATABASE_URL with the user swapped for app_db_role".
    app_db_role: str = "partygrid_app"
    app_db_password: SecretStr | None = None
    app_database_url: str | None = None

    # Secrets. The dev defaults are refused outside development, demo and test.
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)  # signs access tokens (HS256)
    # "kid:base64(32 bytes)" comma-separated, current key first; older keys still decrypt.
    data_keys: SecretStr = SecretStr(DEV_DATA_KEYS)
    data_key_file: Path | None = None  # same format, one key per line; wins over data_keys
    index_key: SecretStr = SecretStr(DEV_INDEX_KEY)  # keyed HMAC for exact lookups
    audit_key: SecretStr = SecretStr(DEV_AUDIT_KEY)  # keyed hash chain of the audit trail

    access_token_minutes: int = 15
    refresh_token_days: int = 7
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    # None: required in production only. True/False: forced either way.
    require_admin_totp: bool | None = None
    signature_window_seconds: int = 300  # partner HMAC: accepted clock skew
    # Deadline monitoring: soon-due (yellow) and overdue (red) tickets get a supervision
    # order automatically; the app sweeps every sweep_seconds (0: only `tickets sweep`).
    auto_supervision: bool = True
    sweep_seconds: int = Field(default=300, ge=0)
    # Ticket statistics: a rate whose denominator is below this is flagged small_sample.
    stats_min_sample: int = Field(default=10, ge=1)
    # Unauthenticated reads (disclosure board, Open311), per client address, in the
    # notation of the `limits` library: "60/minute", "1000/day;60/minute".
    public_rate_limit: str = "60/minute"

    @field_validator("public_rate_limit")
    @classmethod
    def _rate_limit_parses(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(f"PARTYGRID_PUBLIC_RATE_LIMIT: {exc}") from None
        return value

    @property
    def is_relaxed(self) -> bool:
        """Development-like environments accept the dev secrets."""
        return self.environment in {Environment.development, Environment.demo, Environment.test}

    @property
    def admin_totp_required(self) -> bool:
        if self.require_admin_totp is not None:
            return self.require_admin_totp
        return self.environment is Environment.production

    def data_key_spec(self) -> str:
        if self.data_key_file is not None:
            lines = self.data_key_file.read_text().split()
            return ",".join(line.strip() for line in lines if line.strip())
        return self.data_keys.get_secret_value()

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.is_relaxed:
            return self
        defaults = {
            "PARTYGRID_SECRET_KEY": self.secret_key.get_secret_value() == DEV_SECRET_KEY,
            "PARTYGRID_DATA_KEYS": self.data_key_file is None
            and self.data_keys.get_secret_value() == DEV_DATA_KEYS,
            "PARTYGRID_INDEX_KEY": self.index_key.get_secret_value() == DEV_INDEX_KEY,
            "PARTYGRID_AUDIT_KEY": self.audit_key.get_secret_value() == DEV_AUDIT_KEY,
        }
        unset = [name for name, is_default in defaults.items() if is_default]
        if unset:
            defaulted = "environment" not in self.model_fields_set
            raise ValueError(
                f"environment {self.environment.value}"
                + (" (PARTYGRID_ENVIRONMENT is unset)" if defaulted else "")
                + f" refuses the development secrets; set {', '.join(unset)}"
                + (
                    "; or, on a laptop, PARTYGRID_ENVIRONMENT=development, or try "
                    "`partygrid serve --demo`"
                    if defaulted
                    else ""
                )
            )
        keys = {
            "PARTYGRID_SECRET_KEY": self.secret_key,
            "PARTYGRID_INDEX_KEY": self.index_key,
            "PARTYGRID_AUDIT_KEY": self.audit_key,
        }
        problems = [key_problem(name, key.get_secret_value()) for name, key in keys.items()]
        if any(problems):
            raise ValueError("; ".join(problem for problem in problems if problem))
        return self

    def serving_problems(self) -> list[str]:
        """Why this configuration may not serve: in production the serving process holds
        the app role's credentials only, never the schema owner's (which could rewrite the
        audit trail), and migrating is `partygrid migrate`'s separate step."""
        if self.environment is not Environment.production:
            return []
        problems = []
        if self.database_url:
            problems.append(
                "the service in production holds no schema owner's credentials: unset "
                "DATABASE_URL (it is for `partygrid migrate`, run as a separate step)"
            )
        if not self.app_database_url:
            problems.append(
                "set PARTYGRID_APP_DATABASE_URL to the app role's connection "
                f"(postgresql://{self.app_db_role}:PASSWORD@host:5432/db)"
            )
        return problems

    @property
    def embedded_pgdata(self) -> Path:
        return self.data_dir / "pgdata"


@lru_cache
def get_settings() -> Settings:
    return Settings()


class _EnvironmentOnly(BaseSettings):
    model_config = ENV_CONFIG
    environment: Environment | None = None


def configured_environment() -> Environment | None:
    """PARTYGRID_ENVIRONMENT as configured (environment or .env), None when unset; read
    without the other settings, so it answers even where they would be refused."""
    return _EnvironmentOnly().environment
