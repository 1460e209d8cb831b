"""The API's own settings, from `HOSTCAP_*` environment variables read when the app is created."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """Who may refresh, how often to look for snapshots published elsewhere, and request size limits."""

    # the other HOSTCAP_* variables are the project settings', so unknown names are ignored here
    model_config = SettingsConfigDict(env_prefix="HOSTCAP_", extra="ignore")

    api_key: SecretStr | None = Field(
        None,
        description="Key the refresh endpoints require (`X-API-Key` or `Authorization: Bearer`). Unset: they are "
        "open, and `hostcap serve` binds to 127.0.0.1 only.",
    )
    api_reload_interval_s: float = Field(
        10.0, ge=0, description="Seconds between checks for a snapshot published by another process; 0 turns it off."
    )
    api_max_query_bytes: int = Field(2048, ge=256, description="Longest query string accepted (longer: 414).")
    api_max_body_bytes: int = Field(16384, ge=0, description="Largest request body accepted (larger: 413).")

    @field_validator("api_key")
    @classmethod
    def _blank_is_unset(cls, key: SecretStr | None) -> SecretStr | None:
        return key if key is not None and key.get_secret_value().strip() else None
