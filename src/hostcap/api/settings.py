"""The API's own settings, from `HOSTCAP_*` environment variables read when the app is created."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """Who may refresh, how often to look for snapshots published elsewhere, and request size and time limits."""

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
    api_max_header_bytes: int = Field(
        32768,
        ge=1024,
        description="Largest request head (request line and headers) `hostcap serve` reads; larger: 431, refused as "
        "soon as it passes the limit.",
    )
    api_max_headers: int = Field(100, ge=10, description="Most request headers `hostcap serve` accepts (more: 431).")
    api_client_timeout_s: float = Field(
        20.0,
        gt=0,
        description="Seconds a client has to send a whole request once `hostcap serve` is ready for one (slower: "
        "408 and the connection closed); a connection that sends nothing is closed after it too.",
    )

    @field_validator("api_key")
    @classmethod
    def _blank_is_unset(cls, key: SecretStr | None) -> SecretStr | None:
        return key if key is not None and key.get_secret_value().strip() else None
