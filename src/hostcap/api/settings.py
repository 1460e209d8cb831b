"""The API's own settings, from `HOSTCAP_*` environment variables read when the app is created."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: a tile URL template's placeholders: the tile's zoom and column and row, and the optional subdomain
#: (`{s}`: a, b or c) and retina suffix (`{r}`) Leaflet fills
TILE_REQUIRED = {"z", "x", "y"}
TILE_OPTIONAL = {"s", "r"}
TILE_SCHEMES = ("http", "https")


class ApiSettings(BaseSettings):
    """Who may refresh, how often to look for snapshots published elsewhere, request size and time limits, and
    the web tiles the explorer's map draws under the feeders (none unless the operator names a server)."""

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

    map_tile_url: str | None = Field(
        None,
        description="URL template of a web tile server the explorer's map draws under the feeders, e.g. "
        "`https://tiles.example.org/{z}/{x}/{y}.png` (http or https; `{z}`, `{x}`, `{y}` required, `{s}` and `{r}` "
        "allowed). Unset: no tiles, and the map asks nothing of any other host.",
    )
    map_tile_attribution: str | None = Field(
        None, max_length=300, description="Credit shown on the map for the tiles (plain text), as their provider requires."
    )

    @field_validator("map_tile_url")
    @classmethod
    def _a_tile_template(cls, url: str | None) -> str | None:
        if url is None or not url.strip():
            return None
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme not in TILE_SCHEMES or not parts.netloc:
            raise ValueError(f"must be an http(s) URL, not {url!r}")
        placeholders = set(re.findall(r"\{([^{}]*)\}", url))
        if missing := sorted(TILE_REQUIRED - placeholders, key="zxy".index):
            raise ValueError("must contain " + ", ".join(f"{{{name}}}" for name in missing) + f": {url!r}")
        if unknown := sorted(placeholders - TILE_REQUIRED - TILE_OPTIONAL):
            raise ValueError("has placeholders a tile layer cannot fill: " + ", ".join(f"{{{name}}}" for name in unknown))
        return url

    @field_validator("map_tile_attribution")
    @classmethod
    def _blank_attribution_is_unset(cls, text: str | None) -> str | None:
        return text.strip() if text is not None and text.strip() else None

    @field_validator("api_key")
    @classmethod
    def _blank_is_unset(cls, key: SecretStr | None) -> SecretStr | None:
        return key if key is not None and key.get_secret_value().strip() else None
