"""Pull one ArcGIS REST layer whole, or fail saying where.

The layer's description comes first (fields, `maxRecordCount`, `objectIdField`, pagination
support, last-edit date), then its row count (`returnCountOnly`). Rows are paged by
`resultOffset` in object-ID order where the layer supports pagination, else by object-ID chunks
(`returnIdsOnly`, then `objectIds=`). A page is retried alone (see `hostcap.acquire.http`), so a
run resumes from its last good page. The pull is complete only if every object ID arrived once,
their number is the layer's count, and the layer's count and last-edit date did not move while
it was read; otherwise it raises PullFailed naming the URL, the page and the error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx

from hostcap.acquire.geometry import UnknownSpatialReference, spatial_reference, to_geojson
from hostcap.acquire.http import HttpClient, Retry, Traffic, UpstreamError
from hostcap.acquire.upstream import ArcgisUpstream

#: ArcGIS error codes inside HTTP 200 that say "try again"
_TRANSIENT_CODES = {429, 500, 502, 503, 504}
#: object IDs per `objectIds=` request, whatever the page size (the URL stays a few KB)
MAX_IDS_PER_REQUEST = 500
#: `(pages, rows, expected rows)` after each page
PageProgress = Callable[[int, int, int], None]


class PullFailed(Exception):
    """The pull could not finish or does not add up; nothing of it may be landed."""

    def __init__(self, url: str, page: str, reason: str):
        super().__init__(f"{url} ({page}): {reason}")
        self.url, self.page, self.reason = url, page, reason


def arcgis_json(response: httpx.Response) -> dict:
    """The JSON body; an error inside HTTP 200 is an error (transient codes are retried)."""
    try:
        body = response.json()
    except ValueError:
        raise Retry(f"the answer is not JSON ({len(response.content)} bytes)") from None
    if not isinstance(body, dict):
        raise UpstreamError(str(response.url), "the answer is not a JSON object")
    error = body.get("error")
    if error:
        code = error.get("code") if isinstance(error, dict) else None
        message = f"ArcGIS error {code}: {error.get('message') if isinstance(error, dict) else error}"
        details = error.get("details") if isinstance(error, dict) else None
        if details:
            message += f" ({'; '.join(map(str, details))})"
        if code in _TRANSIENT_CODES:
            raise Retry(message)
        raise UpstreamError(str(response.url), message)
    return body


@dataclass(frozen=True)
class LayerInfo:
    """What the layer's description says."""

    name: str
    fields: list[str]
    oid_field: str
    max_records: int
    paginates: bool
    last_edit: int | None
    domains: dict[str, dict[object, str]]

    @classmethod
    def parse(cls, body: dict) -> LayerInfo:
        fields = body.get("fields") or []
        oid = body.get("objectIdField") or next((f["name"] for f in fields if f.get("type") == "esriFieldTypeOID"), None)
        if not oid:
            raise ValueError("the layer names no object-ID field")
        editing = body.get("editingInfo") or {}
        domains = {
            f["name"]: {c["code"]: c["name"] for c in f["domain"].get("codedValues", [])}
            for f in fields
            if (f.get("domain") or {}).get("type") == "codedValue"
        }
        return cls(
            name=str(body.get("name", "")),
            fields=[f["name"] for f in fields],
            oid_field=oid,
            max_records=int(body.get("maxRecordCount") or 1000),
            paginates=bool((body.get("advancedQueryCapabilities") or {}).get("supportsPagination")),
            last_edit=editing.get("dataLastEditDate") or editing.get("lastEditDate"),
            domains=domains,
        )


@dataclass
class LayerPull:
    """A complete pull: NDJSON lines (GeoJSON features, object-ID order) and what it took."""

    lines: list[bytes]
    info: LayerInfo
    count: int
    pages: int
    query: dict[str, str]
    traffic: Traffic = field(default_factory=Traffic)

    @property
    def data(self) -> bytes:
        return b"".join(self.lines)


class ArcgisLayer:
    """One layer, read through a shared client; `traffic` counts this source's requests."""

    def __init__(self, client: HttpClient, upstream: ArcgisUpstream, traffic: Traffic | None = None):
        self.client, self.upstream = client, upstream
        self.url = upstream.url
        self.traffic = traffic or Traffic()

    def _get(self, path: str, params: dict[str, str], page: str) -> dict:
        url = f"{self.url}/{path}" if path else self.url
        try:
            return self.client.get(url, arcgis_json, {"f": "json", **params}, traffic=self.traffic)
        except UpstreamError as exc:
            raise PullFailed(url, page, exc.reason) from None

    def describe(self) -> LayerInfo:
        body = self._get("", {}, "layer description")
        try:
            return LayerInfo.parse(body)
        except (KeyError, TypeError, ValueError) as exc:
            raise PullFailed(self.url, "layer description", f"not a layer description: {exc}") from None

    def count(self) -> int:
        body = self._get("query", {"where": self.upstream.where, "returnCountOnly": "true"}, "row count")
        if not isinstance(body.get("count"), int):
            raise PullFailed(f"{self.url}/query", "row count", "the answer has no count")
        return body["count"]

    def object_ids(self) -> list[int]:
        body = self._get("query", {"where": self.upstream.where, "returnIdsOnly": "true"}, "object IDs")
        return sorted(body.get("objectIds") or [])

    def _query(self, info: LayerInfo) -> dict[str, str]:
        fields = self.upstream.out_fields
        if fields != ["*"] and info.oid_field not in fields:
            fields = [info.oid_field, *fields]
        return {
            "where": self.upstream.where,
            "outFields": ",".join(fields),
            "returnGeometry": "true" if self.upstream.geometry else "false",
            "outSR": "4326",
            "orderByFields": f"{info.oid_field} ASC",
            "f": self.upstream.format,
        }

    def _page(self, info: LayerInfo, params: dict[str, str], page: str) -> tuple[list[dict], bool]:
        """The page's features as GeoJSON features, and whether the server says more are left."""
        url = f"{self.url}/query"
        try:
            body = self.client.get(url, arcgis_json, params, traffic=self.traffic)
            features = [self._feature(item, info, body) for item in body.get("features") or []]
        except UpstreamError as exc:
            raise PullFailed(url, page, exc.reason) from None
        except (UnknownSpatialReference, KeyError, TypeError, ValueError) as exc:
            raise PullFailed(url, page, f"unreadable feature: {exc}") from None
        more = body.get("exceededTransferLimit") or (body.get("properties") or {}).get("exceededTransferLimit")
        return features, bool(more)

    def _feature(self, item: dict, info: LayerInfo, body: dict) -> dict:
        if self.upstream.format == "geojson":
            properties, geometry = dict(item.get("properties") or {}), item.get("geometry")
        else:
            properties = dict(item.get("attributes") or {})
            geometry = to_geojson(item.get("geometry"), spatial_reference(body)) if self.upstream.geometry else None
        if self.upstream.decode_domains:
            for name, codes in info.domains.items():
                if name in properties and properties[name] in codes:
                    properties[name] = codes[properties[name]]
        oid = properties.get(info.oid_field, item.get("id"))
        if not isinstance(oid, int):
            raise ValueError(f"a feature without an integer {info.oid_field}")
        properties[info.oid_field] = oid
        return {"type": "Feature", "id": oid, "geometry": geometry, "properties": properties}

    def _pages(self, info: LayerInfo, count: int, size: int) -> Iterator[tuple[str, list[dict]]]:
        query = self._query(info)
        if info.paginates:
            offset, number = 0, 0
            while True:
                number += 1
                page = f"page {number}, resultOffset={offset}"
                params = {**query, "resultOffset": str(offset), "resultRecordCount": str(size)}
                features, more = self._page(info, params, page)
                yield page, features
                offset += len(features)
                if not features or (not more and (len(features) < size or offset >= count)):
                    return
        else:
            ids = self.object_ids()
            size = min(size, MAX_IDS_PER_REQUEST)
            for number, start in enumerate(range(0, len(ids), size), start=1):
                chunk = ids[start : start + size]
                page = f"page {number}, objectIds {chunk[0]}..{chunk[-1]}"
                params = {k: v for k, v in query.items() if k != "orderByFields"}
                features, _more = self._page(info, {**params, "objectIds": ",".join(map(str, chunk))}, page)
                missing = sorted(set(chunk) - {f["id"] for f in features})
                if missing:
                    raise PullFailed(f"{self.url}/query", page, f"object ID {missing[0]} vanished during the pull")
                yield page, features

    def pull(self, info: LayerInfo, progress: PageProgress = lambda *a: None) -> LayerPull:
        """Every row of the layer, complete and checked (see the module), or PullFailed."""
        count = self.count()
        size = min(self.upstream.page_size or info.max_records, info.max_records)
        lines: dict[int, bytes] = {}
        pages = 0
        page = "no page"
        for page, features in self._pages(info, count, size):
            pages += 1
            for feature in features:
                if feature["id"] in lines:
                    raise PullFailed(
                        f"{self.url}/query", page, f"object ID {feature['id']} arrived twice: rows changed between pages"
                    )
                lines[feature["id"]] = json.dumps(feature, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
            progress(pages, len(lines), count)
        if len(lines) != count:
            raise PullFailed(
                f"{self.url}/query", page, f"{len(lines):,} rows arrived but the layer counts {count:,} (returnCountOnly)"
            )
        self._unchanged_since(info, count)
        return LayerPull([lines[oid] for oid in sorted(lines)], info, count, pages, self._query(info), self.traffic)

    def _unchanged_since(self, info: LayerInfo, count: int) -> None:
        """The layer's count and last-edit date are what they were when the pull began."""
        after = self.describe()
        if after.last_edit != info.last_edit:
            raise PullFailed(self.url, "after the last page", "the layer was edited during the pull")
        now = self.count()
        if now != count:
            raise PullFailed(f"{self.url}/query", "after the last page", f"the layer's count moved from {count:,} to {now:,}")
