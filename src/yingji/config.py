"""Settings: one validated class, read from ``YINGJI_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-insecure-secret-change-me-before-production"


class Settings(BaseSettings):
    """All runtime configuration of a Yingji process."""

    model_config = SettingsConfigDict(env_prefix="YINGJI_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(default=Path("data"), description="Where the SQLite file, caches and uploads live")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default sqlite:///<data_dir>/yingji.db; "
        "PostgreSQL as postgresql+psycopg://user:pass@host/db",
    )
    secret_key: str = DEV_SECRET
    token_ttl_minutes: int = Field(default=12 * 60, ge=1)
    cookie_secure: bool = True
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    tile_url: str = Field(
        default="",
        description="XYZ tile URL template for the base map, e.g. https://tiles.example/{z}/{x}/{y}.png; "
        "empty = plain background with division boundaries (offline)",
    )
    default_language: Literal["zh-CN", "en"] = "zh-CN"
    cap_feed_public: bool = Field(
        default=False, description="Serve /cap/feed.xml without login: the whole city's active Actual warnings"
    )
    timezone: str = "Asia/Shanghai"
    events_url: str = Field(
        default="",
        description="Live-event backend shared by several server processes: redis://host:6379/0 "
        "(also rediss://, unix://); empty = in-process",
    )

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.env == "production" and self.secret_key == DEV_SECRET:
            raise ValueError("YINGJI_SECRET_KEY must be set to a secret value in production")
        if self.env == "production" and len(self.secret_key) < 32:
            raise ValueError("YINGJI_SECRET_KEY must be at least 32 characters in production")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'yingji.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
