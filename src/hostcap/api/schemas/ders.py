"""Distributed energy resources (DER): installed, planned and withdrawn projects, as the registry
describes them (hostcap.registry)."""

from __future__ import annotations

from hostcap.api.schemas.common import Envelope, Paged
from hostcap.registry.models import allowed, public_model

#: the allowed values of a DER's status and type, for query parameters
DerStatus = allowed("ders", "status")
DerType = allowed("ders", "der_type")

DerPublic = public_model("DerPublic", "ders")


class DersPublic(Paged[DerPublic]):
    """A page of DER projects."""


class DerDetail(Envelope[DerPublic]):
    """One DER project."""
