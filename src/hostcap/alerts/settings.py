"""How webhooks are delivered, from `HOSTCAP_WEBHOOK_*` environment variables read when the CLI or app starts."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AlertSettings(BaseSettings):
    """Timeouts, retries and the destinations webhooks may go to."""

    # the other HOSTCAP_* variables belong to the project and API settings, so unknown names are ignored here
    model_config = SettingsConfigDict(env_prefix="HOSTCAP_", extra="ignore")

    webhook_allow_private: bool = Field(
        False,
        description="Deliver webhooks to loopback, link-local and private addresses too. Off: such destinations "
        "are refused (checked on the address connected to, after name resolution), so a subscription cannot "
        "make the server reach its own network.",
    )
    webhook_timeout_s: float = Field(
        10.0, gt=0, description="Seconds a webhook receiver has to connect and answer one delivery attempt."
    )
    webhook_retry_for_s: float = Field(
        3600.0,
        ge=0,
        description="Seconds a delivery is retried after its first attempt (capped exponential backoff with "
        "jitter); after that it is marked failed.",
    )
    webhook_backoff_s: float = Field(2.0, gt=0, description="Wait before the first retry; it doubles each retry.")
    webhook_backoff_max_s: float = Field(300.0, gt=0, description="Longest wait between two retries.")
    webhook_workers: int = Field(16, ge=1, le=256, description="Deliveries sent at the same time.")
    webhook_keep_deliveries: int = Field(
        100, ge=1, description="Finished deliveries kept in each subscription's delivery log (older ones are deleted)."
    )
