"""Settings of fetches, from `HOSTCAP_FETCH_*` environment variables read when a command starts."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from hostcap import __version__


class FetchSettings(BaseSettings):
    """How politely and how persistently upstream services are asked."""

    model_config = SettingsConfigDict(env_prefix="HOSTCAP_FETCH_", extra="ignore")

    before_refresh: bool = Field(
        False,
        description="Fetch every source with an upstream before each refresh (`watch`, `serve`, the schedule, "
        "`POST /v1/refreshes`); off: only `hostcap fetch` and `hostcap refresh --fetch` fetch.",
    )
    connect_timeout_s: float = Field(10.0, gt=0, description="Seconds to connect to a host.")
    timeout_s: float = Field(
        120.0, gt=0, description="Seconds a response may stall (between bytes) before the request is retried."
    )
    retries: int = Field(6, ge=0, description="Retries of one request after a timeout, a dropped connection, 429 or 5xx.")
    backoff_s: float = Field(1.0, ge=0, description="First retry's wait; doubled per retry (with jitter).")
    backoff_max_s: float = Field(60.0, ge=0, description="Longest wait between retries (and longest `Retry-After` honoured).")
    retry_budget_s: float = Field(
        900.0,
        gt=0,
        description="Seconds one request may take in all, every attempt and wait between them included (an attempt is "
        "cut off when they are up); past it the source's pull fails.",
    )
    per_host: int = Field(2, ge=1, description="Requests in flight at once to one host.")
    rate_per_s: float = Field(2.0, gt=0, description="Requests per second to one host, at most.")
    sources_at_once: int = Field(4, ge=1, description="Sources fetched side by side.")
    user_agent: str = Field(
        f"hostcap/{__version__} (New York hosting-capacity data; polite bulk reader)",
        description="The User-Agent every request sends.",
    )
