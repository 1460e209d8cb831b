"""Shapes every v1 body shares: the snapshot `meta` block, one-item and page envelopes, problems."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

SNAPSHOT_EXAMPLE = "20261129T051011Z-7ab04c"


class Meta(BaseModel):
    """Which published snapshot the body came from (also in the `X-Hostcap-Snapshot` header)."""

    snapshot: str = Field(
        description="ID of the published snapshot (the refresh run that built it).", examples=[SNAPSHOT_EXAMPLE]
    )
    published_at: str | None = Field(
        description="When the snapshot was published (UTC, ISO 8601).", examples=["2026-11-29T05:10:47+00:00"]
    )


class Envelope(BaseModel, Generic[T]):
    """One resource and the snapshot it came from."""

    data: T = Field(description="The resource.")
    meta: Meta = Field(description="The snapshot the data came from.")


class Paged(BaseModel, Generic[T]):
    """One page of a list, how many items match in all, and the cursor of the next page."""

    data: list[T] = Field(description="The items of this page, in the list's sort order.")
    count: int = Field(description="How many items match the filters, over all pages.", examples=[1136])
    next_cursor: str | None = Field(
        description="Pass as `cursor` (with the same filters) for the next page; null on the last page.",
        examples=["MjAyNjExMjlUMDUxMDExWi03YWIwNGN8MTAw"],
    )
    meta: Meta = Field(description="The snapshot the data came from.")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(
        "about:blank", description="Problem type URI; `about:blank`: the status says it all.", examples=["about:blank"]
    )
    title: str = Field(description="The HTTP status phrase.", examples=["Unprocessable Entity"])
    status: int = Field(description="The HTTP status code.", examples=[422])
    detail: str = Field(
        description="What went wrong with this request, and how to fix it.",
        examples=["query parameter maxHostingCapacity: Input should be a finite number (got 'NaN')"],
    )
    instance: str | None = Field(None, description="The request path.", examples=["/getFeeders"])
