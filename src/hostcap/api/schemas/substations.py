"""Substations, as the registry describes them (hostcap.registry)."""

from __future__ import annotations

from hostcap.api.schemas.common import Envelope, Paged
from hostcap.registry.models import public_model

SubstationPublic = public_model("SubstationPublic", "substations")


class SubstationsPublic(Paged[SubstationPublic]):
    """A page of substations."""


class SubstationDetail(Envelope[SubstationPublic]):
    """One substation."""
