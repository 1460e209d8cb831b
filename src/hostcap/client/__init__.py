"""A Python client of the hostcap API that returns DataFrames:

    from hostcap.client import Client
    hc = Client("http://127.0.0.1:8000")
    feeders = hc.feeders(utility="coned", min_headroom_mw=2)   # a pandas DataFrame, every page

Lists follow `next_cursor` to the end; pages read before are asked for with their ETag and reused
on 304; 429 and 503 are retried (see `hostcap.client.transport`). `frame="polars"` gives polars
DataFrames instead (polars installed separately). `read_bundle` reads a release bundle.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from hostcap.client.bundles import read_bundle
from hostcap.client.frames import Frame, from_rows
from hostcap.client.transport import Retry, Stats, Transport

__all__ = ["Client", "Retry", "Stats", "read_bundle"]


class Client:
    """The API at `base_url`; `api_key` is sent as `X-API-Key` (reads need none unless a proxy asks)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        frame: Frame = "pandas",
        page_size: int = 1000,
        timeout_s: float = 60.0,
        retry: Retry | None = None,
        http: httpx.Client | None = None,
    ):
        headers = {"Accept": "application/json", **({"X-API-Key": api_key} if api_key else {})}
        self.http = http or httpx.Client(base_url=base_url, headers=headers, timeout=timeout_s)
        self.frame = frame
        self.page_size = page_size
        self.transport = Transport(self.http, retry or Retry())

    @property
    def stats(self) -> Stats:
        return self.transport.stats

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _json(self, path: str, params: dict | None = None) -> dict:
        return orjson.loads(self.transport.get(path, params))

    def _bodies(self, path: str, params: dict[str, Any]) -> Iterator[dict]:
        """Each page of a v1 list, following `next_cursor` until it is null."""
        params = {name: value for name, value in params.items() if value is not None}
        params["limit"] = self.page_size
        while True:
            body = self._json(path, params)
            yield body
            if not body.get("next_cursor"):
                return
            params["cursor"] = body["next_cursor"]

    def _pages(self, path: str, filters: dict[str, Any]) -> list[dict]:
        return [item for body in self._bodies(path, filters) for item in body["data"]]

    def _frame(self, rows: list[dict], frame: Frame | None) -> Any:
        return from_rows(rows, frame or self.frame)

    def feeders(self, *, frame: Frame | None = None, **filters: Any) -> Any:
        """Feeders (`GET /v1/feeders`): filters `utility`, `substation`, `min_max_hc_mw`,
        `max_max_hc_mw`, `min_headroom_mw`, `sort`, as the API names them."""
        return self._frame(self._pages("/v1/feeders", filters), frame)

    def ders(self, *, frame: Frame | None = None, **filters: Any) -> Any:
        """DER (`GET /v1/ders`): filters `utility`, `status`, `der_type`, `feeder_id` (lists repeat the parameter)."""
        return self._frame(self._pages("/v1/ders", filters), frame)

    def substations(self, *, frame: Frame | None = None, **filters: Any) -> Any:
        """Substations (`GET /v1/substations`): filter `utility`."""
        return self._frame(self._pages("/v1/substations", filters), frame)

    def history(self, feeder_id: str, *, frame: Frame | None = None) -> Any:
        """One feeder's values at every recorded publish, oldest first, one row per publish
        (`GET /v1/feeders/{feeder_id}/history`: its `points`)."""
        return self._frame(self._json(f"/v1/feeders/{quote(feeder_id, safe='')}/history")["data"]["points"], frame)

    def changes(self, since: str, *, frame: Frame | None = None) -> Any:
        """What changed from snapshot `since` to the served one (`GET /v1/changes`): one row per
        change, `kind` naming it (`feeders_added`, `max_hc_changes`, `ders_new`, ...)."""
        rows = [
            {"kind": kind, **item}
            for body in self._bodies("/v1/changes", {"since": since})
            for kind in body["counts"]
            for item in body[kind]
        ]
        return self._frame(rows, frame)

    def read_bundle(self, source: str, *, frame: Frame | None = None) -> dict[str, Any]:
        """`{table: DataFrame}` from a release bundle: a URL or API path (`/v1/snapshots/<id>/bundle`)
        downloaded through this client, or else a local file."""
        if source.startswith(("http://", "https://", "/v1/")):
            return read_bundle(self.transport.get(source), frame or self.frame)
        return read_bundle(source, frame or self.frame)
