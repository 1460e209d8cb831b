"""The `upstream:` block of a source config: where a source's data is published.

Kept as data, like every other quirk of a source: a service that moves or renames a field is a
config change, not a code change.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/")


class ArcgisUpstream(_Strict):
    """One layer of an ArcGIS REST FeatureServer or MapServer, pulled whole."""

    kind: Literal["arcgis"] = Field(description="An ArcGIS REST layer.")
    url: str = Field(description="The layer's URL, ending in `/FeatureServer/<n>` or `/MapServer/<n>`.")
    where: str = Field("1=1", description="The query's `where` clause: which rows belong to the source.")
    out_fields: list[str] = Field(default_factory=lambda: ["*"], description="Fields to pull; `*` is all.")
    geometry: bool = Field(True, description="Pull each row's geometry (WGS84), kept in the `geometry` column.")
    format: Literal["json", "geojson"] = Field(
        "json", description="Response format asked for: `json` (every ArcGIS server) or `geojson` (FeatureServers)."
    )
    page_size: int | None = Field(
        None, ge=1, description="Rows per request; default and upper bound: the layer's `maxRecordCount`."
    )
    decode_domains: bool = Field(True, description="Replace coded values by their labels (`fields[].domain.codedValues`).")
    file: str | None = Field(None, description="Name of the landed file; default `<dataset>.ndjson`.")

    _check_url = field_validator("url")(classmethod(lambda cls, v: _http_url(v)))


class PageUpstream(_Strict):
    """A web page linking to the file (the DPS inventory pages): the newest matching link is pulled."""

    kind: Literal["page"] = Field(description="A page whose newest matching link is the file.")
    url: str = Field(description="The page's URL.")
    link_pattern: str = Field(r"\.(xlsx|xlsm|xls|7z)([?#].*)?$", description="Regex a link's URL must match to be the file.")
    member: str = Field("*.xls*", description="Glob of the workbook inside an archive (`.7z`, `.zip`).")
    file: str | None = Field(None, description="Name of the landed file; default `<dataset>.<read.type>`.")

    _check_url = field_validator("url")(classmethod(lambda cls, v: _http_url(v)))


Upstream = Annotated[ArcgisUpstream | PageUpstream, Field(discriminator="kind")]
