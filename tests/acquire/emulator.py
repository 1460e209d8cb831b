"""A real HTTP server on 127.0.0.1 that speaks the ArcGIS REST query protocol, and serves pages
linking to files as the DPS does, with faults to inject.

ArcGIS: `GET <service>/{FeatureServer|MapServer}/<n>?f=json` describes a layer (fields,
`maxRecordCount`, `objectIdField`, `advancedQueryCapabilities.supportsPagination`,
`editingInfo.lastEditDate`); `.../<n>/query` answers `returnCountOnly`, `returnIdsOnly`,
`objectIds=`, `resultOffset`/`resultRecordCount` (refused with an error inside HTTP 200 where the
layer does not paginate), caps a page at `maxRecordCount` with `exceededTransferLimit`, `outSR`
(4326, else the layer's native Web Mercator or WGS84), `f=json` and `f=geojson` (refused on a
layer without it). Pages: `GET /<path>` of a page is its HTML; `GET /files/<name>` answers `ETag` and
`Last-Modified`, and 304 to a matching conditional GET.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_R = 6378137.0


@dataclass
class Layer:
    """One layer: esri field descriptors, rows (attributes, the object ID among them) and
    WGS84 polyline paths per object ID."""

    fields: list[dict]
    rows: list[dict]
    paths: dict[int, list[list[list[float]]]] = field(default_factory=dict)
    oid_field: str = "OBJECTID"
    max_record_count: int = 1000
    paginates: bool = True
    last_edit: int | None = 1_700_000_000_000
    native_wkid: int = 4326
    geojson: bool = True

    def ids(self) -> list[int]:
        return sorted(row[self.oid_field] for row in self.rows)

    def by_id(self) -> dict[int, dict]:
        return {row[self.oid_field]: row for row in self.rows}


@dataclass
class Fault:
    """Applied to the requests `match` selects, `times` times: an HTTP status (with headers), an
    ArcGIS error inside HTTP 200, a connection dropped mid-body, a stall of `seconds`, a body that
    drips one byte every `drip_s` seconds and never ends, a count that disagrees by `count_delta`,
    or `before` (a function run on the server as the request arrives)."""

    match: Callable[[str, dict[str, str]], bool]
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    error_code: int | None = None
    drop: bool = False
    seconds: float = 0.0
    drip_s: float = 0.0
    count_delta: int = 0
    before: Callable[[], None] | None = None
    times: int = 1


class Emulator:
    """`with Emulator() as emu:` a server on 127.0.0.1; `emu.url` is its base URL."""

    def __init__(self) -> None:
        self.layers: dict[str, Layer] = {}
        self.pages: dict[str, str] = {}
        self.files: dict[str, bytes] = {}
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self.user_agents: set[str] = set()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Emulator:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)

    def layer_url(self, path: str) -> str:
        return f"{self.url}/{path}"

    def fault(self, path: str, params: dict[str, str]) -> Fault | None:
        with self.lock:
            self.requests.append((path, params, {}))
            for fault in self.faults:
                if fault.times > 0 and fault.match(path, params):
                    fault.times -= 1
                    return fault
        return None

    def queries(self, path: str | None = None) -> list[dict[str, str]]:
        """The parameters of every request (to one path), in order."""
        return [params for p, params, _ in self.requests if path is None or p == path]


def _mercator(point: list[float]) -> list[float]:
    x = math.radians(point[0]) * _R
    y = math.log(math.tan(math.pi / 4 + math.radians(point[1]) / 2)) * _R
    return [x, y]


def _handler(emu: Emulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            path = url.path.strip("/")
            params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            emu.user_agents.add(self.headers.get("User-Agent", ""))
            fault = emu.fault(path, params)
            if fault is not None:
                if fault.before:
                    fault.before()
                if fault.seconds:
                    emu.stop.wait(fault.seconds)
                if fault.status:
                    return self._send(fault.status, b"{}", extra=fault.headers)
                if fault.error_code:
                    body = {"error": {"code": fault.error_code, "message": "Unable to complete operation.", "details": []}}
                    return self._json(body)
                if fault.drip_s:
                    return self._drip(fault.drip_s)
                if fault.drop:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "100000")
                    self.end_headers()
                    self.wfile.write(b'{"features": [')
                    self.wfile.flush()
                    self.close_connection = True
                    return
            if path in emu.pages:
                return self._send(200, emu.pages[path].encode(), "text/html; charset=utf-8")
            if path.startswith("files/"):
                return self._file(path.removeprefix("files/"))
            if path.endswith("/query") and path.removesuffix("/query") in emu.layers:
                return self._query(emu.layers[path.removesuffix("/query")], params, fault)
            if path in emu.layers:
                return self._describe(emu.layers[path])
            self._json({"error": {"code": 400, "message": "Invalid URL", "details": []}})

        def _send(self, status: int, body: bytes, content_type: str = "application/json", extra: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _drip(self, every_s: float) -> None:
            """A body that keeps coming, a byte at a time, until the emulator stops."""
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.close_connection = True
            while not emu.stop.wait(every_s):
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return

        def _json(self, body: dict) -> None:
            self._send(200, json.dumps(body).encode())

        def _describe(self, layer: Layer) -> None:
            body = {
                "name": "layer",
                "type": "Feature Layer",
                "geometryType": "esriGeometryPolyline",
                "objectIdField": layer.oid_field,
                "fields": layer.fields,
                "maxRecordCount": layer.max_record_count,
                "advancedQueryCapabilities": {"supportsPagination": layer.paginates},
            }
            if layer.last_edit is not None:
                body["editingInfo"] = {"lastEditDate": layer.last_edit, "dataLastEditDate": layer.last_edit}
            self._json(body)

        def _query(self, layer: Layer, params: dict[str, str], fault: Fault | None) -> None:
            if params.get("returnCountOnly") == "true":
                return self._json({"count": len(layer.rows) + (fault.count_delta if fault else 0)})
            if params.get("returnIdsOnly") == "true":
                return self._json({"objectIdFieldName": layer.oid_field, "objectIds": layer.ids()})
            if "resultOffset" in params and not layer.paginates:
                return self._json({"error": {"code": 400, "message": "Pagination is not supported.", "details": []}})
            if params.get("f") == "geojson" and not layer.geojson:
                return self._json({"error": {"code": 400, "message": "Invalid or missing input parameters.", "details": []}})
            rows = [layer.by_id()[i] for i in layer.ids()]
            if "objectIds" in params:
                wanted = {int(i) for i in params["objectIds"].split(",") if i}
                rows = [row for row in rows if row[layer.oid_field] in wanted]
            offset = int(params.get("resultOffset", 0))
            size = min(int(params.get("resultRecordCount", layer.max_record_count)), layer.max_record_count)
            page, more = rows[offset : offset + size], offset + size < len(rows)
            wgs84 = params.get("outSR") == "4326" or layer.native_wkid == 4326
            geometry = params.get("returnGeometry", "true") == "true"
            if params.get("f") == "geojson":
                features = [
                    {
                        "type": "Feature",
                        "id": row[layer.oid_field],
                        "properties": row,
                        "geometry": {"type": "LineString", "coordinates": layer.paths[row[layer.oid_field]][0]}
                        if geometry and row[layer.oid_field] in layer.paths
                        else None,
                    }
                    for row in page
                ]
                body = {"type": "FeatureCollection", "features": features}
                if more:
                    body["exceededTransferLimit"] = True
                return self._json(body)
            features = []
            for row in page:
                feature: dict = {"attributes": row}
                paths = layer.paths.get(row[layer.oid_field])
                if geometry and paths:
                    feature["geometry"] = {"paths": paths if wgs84 else [[_mercator(p) for p in path] for path in paths]}
                features.append(feature)
            wkid = 4326 if wgs84 else layer.native_wkid
            body = {
                "objectIdFieldName": layer.oid_field,
                "spatialReference": {"wkid": wkid},
                "fields": layer.fields,
                "features": features,
            }
            if more:
                body["exceededTransferLimit"] = True
            self._json(body)

        def _file(self, name: str) -> None:
            data = emu.files.get(name)
            if data is None:
                return self._send(404, b"not found", "text/plain")
            etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
            modified = email.utils.formatdate(1_700_000_000, usegmt=True)
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", extra={"ETag": etag, "Last-Modified": modified})
            self._send(200, data, "application/octet-stream", {"ETag": etag, "Last-Modified": modified})

    return Handler
