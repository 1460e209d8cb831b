"""Feeders and their segments: rows as the registry describes them (hostcap.registry)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from hostcap.api.schemas.common import Envelope, Paged
from hostcap.registry.models import described, public_model

#: fields other models share, documented as the feeders table documents them
FeederId = Annotated[str, described("feeders", "feeder_id")]
NativeFeederId = Annotated[str, described("feeders", "native_feeder_id")]
Utility = Annotated[str, described("feeders", "utility")]
HcaRefreshDate = Annotated[dt.date | None, described("feeders", "hca_refresh_date")]

FeederPublic = public_model("FeederPublic", "feeders")
SegmentPublic = public_model("SegmentPublic", "feeder_segments")


class FeedersPublic(Paged[FeederPublic]):
    """A page of feeders."""


class FeederDetail(Envelope[FeederPublic]):
    """One feeder."""


class SegmentsPublic(Paged[SegmentPublic]):
    """A page of a feeder's segments."""


DistanceKm = Annotated[
    float,
    Field(
        description="Computed for this answer, not stored: km from the query point (`near`: to the feeder's "
        "representative point; `/v1/locate`: to its nearest segment), on a flat projection centred on the point.",
        examples=[0.42],
    ),
]


class FeederNearby(FeederPublic):
    """A feeder found by place, with its distance from the point asked about."""

    distance_km: DistanceKm


class LocatedFeeders(Envelope[list[FeederNearby]]):
    """The feeders whose segments pass near a point, nearest first."""
