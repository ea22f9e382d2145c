"""Settings, read once from the environment (and `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    database_url: str | None = Field(
        default=None,
        validation_alias="DATABASE_URL",
        description="PostgreSQL to use; unset: an embedded server under CREDIT_LEDGER_HOME",
    )
    home: Path = Field(default=Path("var"), validation_alias="CREDIT_LEDGER_HOME")
    database_name: str = Field(default="credit_ledger", validation_alias="CREDIT_LEDGER_DATABASE")
    max_batch_records: int = Field(default=1000, ge=1, validation_alias="CREDIT_LEDGER_MAX_BATCH")
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024, validation_alias="CREDIT_LEDGER_MAX_BODY_BYTES")
    pool_size: int = Field(default=5, ge=1, validation_alias="CREDIT_LEDGER_POOL_SIZE")
    max_writers: int = Field(
        default=8, ge=1, validation_alias="CREDIT_LEDGER_MAX_WRITERS", description="concurrent intake steps per process"
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
