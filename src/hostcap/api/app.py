"""The FastAPI app factory: the read model, the refresher, routers, errors and docs wired together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from hostcap import __version__
from hostcap.api import openapi, problems
from hostcap.api.docs import mount_docs
from hostcap.api.fastlane import FastLane
from hostcap.api.middleware import HeadAsGet, SizeLimits, SnapshotHeader
from hostcap.api.routers import (
    bundles,
    changes,
    compat,
    ders,
    dictionary,
    feeders,
    feeds,
    health,
    history,
    locate,
    refreshes,
    snapshots,
    stats,
    status,
    subscriptions,
    substations,
    utilities,
)
from hostcap.api.settings import ApiSettings
from hostcap.core import Hostcap
from hostcap.explorer import mount_explorer
from hostcap.orchestration import OrchestrationSettings, Orchestrator
from hostcap.orchestration.runner import Runner
from hostcap.serving import SnapshotStore
from hostcap.serving.changes import ChangesCache
from hostcap.serving.history import HistoryCache

#: seconds between looks at the outbox for notifications other processes (`hostcap refresh`) left there
NOTIFY_RESCAN_S = 60

DESCRIPTION = """\
New York utilities' hosting capacity and DER data, cleaned and unified, served from memory.

* **v1** (`/v1/...`): consistent names, filters, `limit` + cursor pagination with a total count.
* **Prototype calls** (`/getFeeders`, `/getDERsForFeeder`, `/refreshData`): kept compatible.
* Every response names the published snapshot it came from (`X-Hostcap-Snapshot`; `meta` in v1
  bodies). Lists send an `ETag` (answering `If-None-Match` with 304) and return CSV with
  `format=csv` or `Accept: text/csv`.
* `/v1/stats/...`: small per-utility aggregates for charts; `/v1/snapshots`: the kept snapshots.
* A web explorer at `/` shows the data in a browser; it reads only the v1 API.
* Errors are RFC 9457 problem details (`application/problem+json`).
* Refreshes run on demand (`POST /v1/refreshes`), on a cron schedule, and with `hostcap serve --watch`
  when source files change; `/v1/status` shows the watcher, the next scheduled run and the
  refresh running now.
* Refresh endpoints need the API key (`X-API-Key` or `Authorization: Bearer`) when
  `HOSTCAP_API_KEY` is set, and refuse what another site's page can make a browser send (403 for a
  cross-origin `Sec-Fetch-Site`/`Origin`, 415 for a text/plain or form body); scripts and curl
  send neither.
* `/v1/subscriptions`: after each publish, the changes a subscription's filter and triggers select
  are POSTed to its URL as a signed webhook (or read as an Atom feed); `/v1/changes.atom` is every
  publish's changes as a feed. Subscriptions need the API key.
* HEAD is answered wherever GET is; `Accept` is negotiated with its q-values.
"""


def create_app(
    hostcap: Hostcap,
    settings: ApiSettings | None = None,
    refresh_on_start: bool = False,
    orchestration: OrchestrationSettings | None = None,
    watch: bool = False,
) -> FastAPI:
    """An app over `hostcap`'s lake. Settings default to the `HOSTCAP_*` environment, read now.

    With `orchestration` the app also refreshes on its schedule and, with `watch`, when source
    files change; those refreshes go through the app's refresher, so they never overlap the API's
    and the served snapshot follows them.
    """
    settings = settings or ApiSettings()
    store = SnapshotStore(hostcap.lake, hostcap.settings.queue_stale_months)
    # the read model learns of each finished run through the runner's callback
    refresher = Runner(hostcap, on_finished=store.sync)
    orchestrator = None
    if orchestration is not None:
        orchestrator = Orchestrator(hostcap, orchestration, refresh=refresher.refresh, watch=watch)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store.sync()
        hostcap.notifier.resume(rescan_s=NOTIFY_RESCAN_S)
        if refresh_on_start:
            refresher.start()
        stop_watching = store.watch(settings.api_reload_interval_s) if settings.api_reload_interval_s else None
        if orchestrator is not None:
            orchestrator.start()
        yield
        if orchestrator is not None:
            orchestrator.stop()
        if stop_watching is not None:
            stop_watching.set()
        hostcap.notifier.stop()

    app = FastAPI(
        title="hostcap API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        responses=openapi.COMMON,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.refresher = refresher
    app.state.orchestrator = orchestrator
    known = hostcap.settings
    problems.install(app, {known.lake_dir: "<lake>", known.source_dir: "<sources>", str(known.config_dir): "<configs>"})
    openapi.install(app, key_set=settings.api_key is not None)
    app.state.hostcap = hostcap
    app.state.changes = ChangesCache(hostcap.diff)
    app.state.history = HistoryCache(hostcap.lake)
    for module in (
        compat, feeders, locate, ders, history, substations, utilities, stats, refreshes, snapshots, bundles, status,
        changes, feeds, subscriptions, dictionary, health,
    ):  # fmt: skip
        app.include_router(module.router)
    mount_docs(app)
    mount_explorer(app)
    app.add_middleware(FastLane, routes=[*compat.router.routes, *feeders.router.routes, *locate.router.routes])
    app.add_middleware(SnapshotHeader, snapshot_id=lambda: getattr(store.current, "id", None))
    app.add_middleware(SizeLimits, max_query_bytes=settings.api_max_query_bytes, max_body_bytes=settings.api_max_body_bytes)
    app.add_middleware(HeadAsGet)
    return app
