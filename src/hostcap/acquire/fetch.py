"""Fetch the sources that name an upstream: land each complete pull, or keep the last good one.

Sources are fetched side by side (`sources_at_once`) through one client, so the per-host limits
hold across them. A source whose upstream says nothing changed since its last pull downloads
nothing; a pull that fails is never landed, and the source is `stale` (its last good file stays
and is what the next refresh reads) or `failed` when it never had one. Either way the outcome is
recorded beside the file, for `hostcap sources` and the next refresh's report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from hostcap.acquire.arcgis import ArcgisLayer, PullFailed
from hostcap.acquire.dps import fetch_page_file, workbook_bytes
from hostcap.acquire.http import HttpClient, Traffic, UpstreamError
from hostcap.acquire.landing import Landing, now
from hostcap.acquire.report import FetchReport, SourceFetch
from hostcap.acquire.settings import FetchSettings
from hostcap.acquire.upstream import ArcgisUpstream
from hostcap.config.source import SourceConfig
from hostcap.errors import ConfigError
from hostcap.io.storage import Storage

log = logging.getLogger(__name__)

#: (source id, pages, rows, expected rows or 0, bytes) as a pull goes
FetchProgress = Callable[[str, int, int, int, int], None]


def _iso(epoch_ms: int | None) -> str | None:
    if epoch_ms is None:
        return None
    return dt.datetime.fromtimestamp(epoch_ms / 1000, dt.UTC).isoformat(timespec="seconds")


def with_upstream(configs: list[SourceConfig], names: list[str] | None = None) -> list[SourceConfig]:
    """The sources to fetch: those named (each must have an upstream), else every one with an upstream."""
    if not names:
        return [c for c in configs if c.upstream is not None]
    by_id = {c.source_id: c for c in configs}
    chosen = []
    for name in names:
        config = by_id.get(name)
        if config is None:
            raise ConfigError(f"no source {name!r}; the sources are {', '.join(sorted(by_id))}")
        if config.upstream is None:
            raise ConfigError(f"source {name} names no upstream: its files are delivered, not fetched")
        chosen.append(config)
    return chosen


class Fetcher:
    """One fetch run over `storage` (the source root)."""

    def __init__(
        self,
        storage: Storage,
        settings: FetchSettings,
        progress: FetchProgress | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        self.storage, self.settings = storage, settings
        self.progress = progress or (lambda *args: None)
        self.transport = transport

    def run(self, configs: list[SourceConfig]) -> FetchReport:
        with HttpClient(self.settings, self.transport) as client:
            with ThreadPoolExecutor(max_workers=self.settings.sources_at_once, thread_name_prefix="fetch") as pool:
                results = list(pool.map(lambda config: self.one(client, config), configs))
        return FetchReport(sources=results)

    def one(self, client: HttpClient, config: SourceConfig) -> SourceFetch:
        """Fetch one source; a failure of its upstream is its own, recorded and reported."""
        assert config.upstream is not None
        landing, traffic, started = Landing(self.storage, config), Traffic(), time.perf_counter()
        last = landing.last_pull()
        result = SourceFetch(
            source=config.source_id,
            kind=config.upstream.kind,
            url=config.upstream.url,
            status="unchanged",
            pulled_at=(last or {}).get("pulled_at"),
            upstream_last_edit=(last or {}).get("upstream_last_edit"),
        )
        try:
            if isinstance(config.upstream, ArcgisUpstream):
                self._layer(client, config, config.upstream, landing, last, traffic, result)
            else:
                self._page(client, config, landing, last, traffic, result)
        except PullFailed as exc:
            result.status, result.url, result.page, result.error = "stale" if last else "failed", exc.url, exc.page, exc.reason
        except UpstreamError as exc:
            result.status, result.url, result.error = "stale" if last else "failed", exc.url, exc.reason
        result.requests, result.retries, result.bytes = traffic.requests, traffic.retries, traffic.bytes
        result.duration_s = round(time.perf_counter() - started, 3)
        if result.error:
            log.warning("fetch failed: source=%s url=%s page=%s: %s", result.source, result.url, result.page, result.error)
        landing.record(
            {
                "status": result.status,
                "at": now(),
                "url": result.url,
                "page": result.page,
                "error": result.error,
            }
        )
        return result

    def _layer(self, client, config, upstream: ArcgisUpstream, landing, last, traffic, result: SourceFetch) -> None:
        layer = ArcgisLayer(client, upstream, traffic)
        info = layer.describe()
        if info.last_edit is not None:
            key = f"lastEditDate:{info.last_edit}"
        else:  # no last-edit date: a cheap probe of the row IDs stands in for it
            probe = json.dumps([layer.count(), layer.object_ids()]).encode()
            key = f"idsProbe:{hashlib.sha256(probe).hexdigest()}"
        result.upstream_last_edit = _iso(info.last_edit)
        if last and last.get("upstream_key") == key and last.get("query", {}).get("where") == upstream.where:
            return  # nothing changed upstream: download nothing

        def on_page(pages: int, rows: int, expected: int) -> None:
            self.progress(config.source_id, pages, rows, expected, traffic.bytes)

        pull = layer.pull(info, on_page)
        sidecar = landing.land(
            pull.data,
            {
                "url": f"{upstream.url}/query",
                "query": pull.query,
                "pulled_at": now(),
                "upstream_key": key,
                "upstream_last_edit": result.upstream_last_edit,
                "rows": pull.count,
                "pages": pull.pages,
                "requests": traffic.requests,
                "fields": pull.info.fields,
            },
        )
        result.status, result.rows, result.pages, result.pulled_at = "fetched", pull.count, pull.pages, sidecar["pulled_at"]

    def _page(self, client, config, landing, last, traffic, result: SourceFetch) -> None:
        upstream = config.upstream
        found = fetch_page_file(client, upstream, last, traffic)
        result.url = found.url
        self.progress(config.source_id, 1, 0, 0, traffic.bytes)
        if found.data is None:
            return  # 304: the file is the one landed last
        try:
            data = workbook_bytes(found.url, found.data, upstream.member)
        except UpstreamError:
            raise
        except Exception as exc:  # a damaged or unexpected archive: the pull failed, say why
            raise UpstreamError(found.url, f"cannot unpack the archive: {type(exc).__name__}: {exc}") from None
        if last and last.get("sha256") == hashlib.sha256(data).hexdigest():
            return  # the same bytes again (a server without validators)
        sidecar = landing.land(
            data,
            {
                "url": found.url,
                "page": upstream.url,
                "query": {},
                "pulled_at": now(),
                "etag": found.etag,
                "last_modified": found.last_modified,
                "upstream_last_edit": found.last_modified,
                "requests": traffic.requests,
            },
        )
        result.status, result.pulled_at, result.upstream_last_edit = "fetched", sidecar["pulled_at"], found.last_modified


def fetch(
    storage: Storage,
    configs: list[SourceConfig],
    settings: FetchSettings,
    names: list[str] | None = None,
    progress: FetchProgress | None = None,
    transport: httpx.BaseTransport | None = None,
) -> FetchReport:
    """Fetch the named sources (default: every source with an upstream)."""
    chosen = with_upstream(configs, names)
    if chosen:
        storage.check()
    return Fetcher(storage, settings, progress, transport).run(chosen)
