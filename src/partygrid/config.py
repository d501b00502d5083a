"""Settings, read once from the environment (prefix ``PARTYGRID_``) and ``.env``."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class Environment(StrEnum):
    development = "development"
    demo = "demo"
    test = "test"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARTYGRID_", env_file=".env", extra="ignore")

    environment: Environment = Environment.development
    # DATABASE_URL is the conventional name partner ops teams already set, so it is
    # read without the prefix; unset means "start the embedded server".
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    data_dir: Path = Field(default_factory=lambda: platformdirs.user_data_path("partygrid"))
    migrations_dir: Path = REPO_ROOT / "migrations"

    pool_size: int = 20
    pool_max_overflow: int = 10
    default_page_size: int = 50
    max_page_size: int = 200
    # Whether the API returns Swagger UI; off is sensible for an internet-facing node.
    docs_enabled: bool = True

    @property
    def embedded_pgdata(self) -> Path:
        return self.data_dir / "pgdata"


@lru_cache
def get_settings() -> Settings:
    return Settings()
