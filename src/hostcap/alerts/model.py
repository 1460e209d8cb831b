"""Subscriptions: which feeders someone cares about (the filter) and which changes to them matter
(the triggers). Stored as JSON in the lake; the signing secret is stored but never shown."""

from __future__ import annotations

import datetime as dt
import secrets as _secrets
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from hostcap.alerts.urls import check_url

_Names = Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=100)]


class Filter(BaseModel):
    """Which feeders and DER a subscription watches. Every part given must match (empty: any);
    within a part, any of its values matches. Names are compared case-insensitively."""

    model_config = ConfigDict(extra="forbid")

    utilities: _Names = Field([], description="Utility codes.", examples=[["national_grid"]])
    substations: _Names = Field(
        [], description="Substation IDs or names (a DER matches through its feeder's substation).", examples=[["Kensico"]]
    )
    counties: _Names = Field(
        [],
        description="Counties. Gold has a county for DER only: a DER matches by its own county, a feeder by the "
        "counties of the DER connected to it (a feeder with no DER matches no county).",
        examples=[["Westchester"]],
    )
    feeder_ids: _Names = Field(
        [], description="Canonical feeder IDs or the utility's own (native) feeder IDs.", examples=[["36_13_81757"]]
    )


class Triggers(BaseModel):
    """Which changes between the previous and the new published gold make a notification. At
    least one must be set."""

    model_config = ConfigDict(extra="forbid")

    headroom_below_mw: float | None = Field(
        None, description="Headroom after the queue falls from at least this to below it (MW).", examples=[2.0]
    )
    headroom_above_mw: float | None = Field(
        None, description="Headroom after the queue rises from below this to at least it (MW).", examples=[5.0]
    )
    max_hc_change_mw: float | None = Field(
        None, gt=0, description="Max hosting capacity changes by more than this (MW).", examples=[0.5]
    )
    max_hc_change_pct: float | None = Field(
        None, gt=0, description="Max hosting capacity changes by more than this share of its old value (%).", examples=[20]
    )
    der_min_kw: float | None = Field(
        None,
        ge=0,
        description="A DER of at least this nameplate (kW) joins the queue (becomes planned) or leaves it "
        "(installed, withdrawn or gone).",
        examples=[1000],
    )
    feeder_presence: bool = Field(False, description="A feeder appears or disappears.", examples=[True])

    @model_validator(mode="after")
    def _one_at_least(self) -> Triggers:
        if all(v is None or v is False for v in self.model_dump().values()):  # 0 is a trigger: any size
            raise ValueError("set at least one trigger")
        return self


class SubscriptionIn(BaseModel):
    """What a client sends to subscribe."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(
        None,
        description="Where deliveries are POSTed: an http(s) URL. None: a feed-only subscription, read as "
        "`/v1/subscriptions/{id}/changes.atom`.",
        examples=["https://example.org/hooks/hostcap"],
    )
    secret: SecretStr | None = Field(
        None,
        description="Key of the HMAC-SHA256 signature of each delivery (16 to 200 characters), required with a "
        "`url`. Write-only: it is never returned.",
        min_length=16,
        max_length=200,
        examples=["s3cr3t-0123456789abcdef"],
    )
    description: str = Field("", max_length=500, description="A note for people.", examples=["headroom on my feeders"])
    filter: Filter = Field(default_factory=Filter, description="Which feeders and DER.")
    triggers: Triggers = Field(description="Which changes.")

    @field_validator("url")
    @classmethod
    def _http_only(cls, url: str | None) -> str | None:
        return url if url is None else check_url(url)

    @model_validator(mode="after")
    def _secret_with_url(self) -> SubscriptionIn:
        if self.url is not None and self.secret is None:
            raise ValueError("a subscription with a url needs a secret to sign its deliveries")
        return self


class SubscriptionPublic(BaseModel):
    """A subscription as shown (no secret)."""

    id: str = Field(description="Subscription ID.", examples=["sub_3f9a0c2d1b7e4a6f"])
    url: str | None = Field(
        description="Where deliveries are POSTed; null: feed only.", examples=["https://example.org/hooks/hostcap"]
    )
    description: str = Field(description="A note for people.", examples=["headroom on my feeders"])
    filter: Filter = Field(description="Which feeders and DER.")
    triggers: Triggers = Field(description="Which changes.")
    created_at: str = Field(description="When it was made (UTC).", examples=["2026-11-01T06:00:00+00:00"])


class Subscription(SubscriptionPublic):
    """A subscription as stored, with its secret."""

    secret: SecretStr | None = Field(description="The signing secret (stored in the lake only).")

    @classmethod
    def new(cls, given: SubscriptionIn) -> Subscription:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        return cls(id=f"sub_{_secrets.token_hex(8)}", created_at=now, **given.model_dump(exclude={"secret"}), secret=given.secret)

    def public(self) -> SubscriptionPublic:
        return SubscriptionPublic(**self.model_dump(exclude={"secret"}))

    def stored(self) -> dict:
        secret = self.secret.get_secret_value() if self.secret is not None else None
        return {**self.model_dump(mode="json", exclude={"secret"}), "secret": secret}
