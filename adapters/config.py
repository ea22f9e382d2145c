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
    max_page_size: int = Field(
        default=100,
        ge=1,
        validation_alias="CREDIT_LEDGER_MAX_PAGE_SIZE",
        description="rows per page of a list or search",
    )
    public_search_per_minute: int = Field(
        default=60,
        ge=1,
        validation_alias="CREDIT_LEDGER_PUBLIC_SEARCH_PER_MINUTE",
        description="public (tokenless) searches per client address per minute, sustained",
    )
    public_search_burst: int = Field(
        default=20,
        ge=1,
        validation_alias="CREDIT_LEDGER_PUBLIC_SEARCH_BURST",
        description="public searches a client address may make at once before the per-minute rate applies",
    )
    min_position_wait: float = Field(
        default=2.0,
        ge=0,
        le=60,
        validation_alias="CREDIT_LEDGER_MIN_POSITION_WAIT",
        description="seconds a read with min_position waits for the read model before answering 503",
    )
    pool_size: int = Field(default=5, ge=1, validation_alias="CREDIT_LEDGER_POOL_SIZE")
    run_projector: bool = Field(
        default=True,
        validation_alias="CREDIT_LEDGER_PROJECTOR",
        description="run the projection runner inside `serve` (off: run `credit-ledger project` separately)",
    )
    read_pool_size: int = Field(
        default=10,
        ge=1,
        validation_alias="CREDIT_LEDGER_READ_POOL_SIZE",
        description="connections of the synchronous reads per process (the public view's batched lookups use one or two more)",
    )
    signing_key: Path | None = Field(
        default=None,
        validation_alias="CREDIT_LEDGER_SIGNING_KEY",
        description="file of the key that signs checkpoints (docs/audit.md); unset: CREDIT_LEDGER_HOME/signing-key, "
        "generated on first start",
    )
    log_origin: str = Field(
        default="scjg.tj.gov.cn/credit-ledger",
        pattern=r"^[^\s+]+$",
        validation_alias="CREDIT_LEDGER_LOG_ORIGIN",
        description="the log's name on its checkpoints, and the name of a generated signing key",
    )
    checkpoint_every: int = Field(
        default=1000, ge=1, validation_alias="CREDIT_LEDGER_CHECKPOINT_EVERY", description="events per checkpoint"
    )
    checkpoint_interval: float = Field(
        default=300.0,
        gt=0,
        validation_alias="CREDIT_LEDGER_CHECKPOINT_INTERVAL",
        description="seconds after which new events are signed even if fewer than CREDIT_LEDGER_CHECKPOINT_EVERY",
    )
    run_signer: bool = Field(
        default=True,
        validation_alias="CREDIT_LEDGER_SIGNER",
        description="sign checkpoints inside `serve` and `project` (several processes may: one signs at a time)",
    )
    max_writers: int = Field(
        default=8, ge=1, validation_alias="CREDIT_LEDGER_MAX_WRITERS", description="concurrent intake steps per process"
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
