"""Run the API under uvicorn: what `hostcap serve` does."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable

import pyarrow as pa
import uvicorn

from hostcap.api.app import create_app
from hostcap.api.protocol import BoundedProtocol, RequestLimits
from hostcap.api.settings import ApiSettings
from hostcap.core import Hostcap
from hostcap.orchestration import OrchestrationSettings

LOOPBACK = "127.0.0.1"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def uvicorn_options(settings: ApiSettings, access_log: bool = False) -> dict:
    """How uvicorn runs the API (besides the app, host and port): one process, the bounded httptools
    protocol, the access log as asked. The benchmark's ceiling runs under these very options."""
    limits = RequestLimits(settings.api_max_header_bytes, settings.api_max_headers, settings.api_client_timeout_s)
    protocol = functools.partial(BoundedProtocol, limits=limits)
    return {"http": protocol, "access_log": access_log, "log_level": "info"}


def serve(
    hostcap: Hostcap,
    host: str,
    port: int,
    refresh_on_start: bool,
    say: Callable[[str], None],
    access_log: bool = False,
    orchestration: OrchestrationSettings | None = None,
    watch: bool = False,
    settings: ApiSettings | None = None,
) -> None:
    """Serve until stopped. Without an API key the refresh endpoints are open, so the server
    listens on loopback only, whatever `host` asked for. With `orchestration`, the server also
    refreshes on its schedule and, with `watch`, when source files change. `settings` default to
    the `HOSTCAP_*` environment, read now."""
    settings = settings or ApiSettings()
    if settings.api_key is None and not _is_loopback(host):
        say(f"HOSTCAP_API_KEY is not set: binding to {LOOPBACK} only, not {host} (refresh endpoints are unprotected)")
        host = LOOPBACK
    problem = hostcap.lake.pointer_problem()
    current = None if problem else hostcap.lake.current()
    if problem:
        say(f"warning: {problem}: serving the newest intact snapshot until a refresh repairs the lake")
    elif current is None:
        say(
            f"the lake at {hostcap.settings.lake_dir} has no published snapshot: "
            + (
                "building one in the background"
                if refresh_on_start
                else "data endpoints answer 503 until a refresh "
                "publishes one (POST /v1/refreshes, `hostcap refresh`, or restart with --refresh-on-start)"
            )
        )
    else:
        say(
            f"serving snapshot {current} from {hostcap.settings.lake_dir}"
            + (" (refreshing in the background)" if refresh_on_start else "")
        )
    # The server holds its tables for its lifetime and rebuilds them on each publish: the system
    # allocator returns the previous snapshot's memory to the OS, where mimalloc would keep it.
    pa.set_memory_pool(pa.system_memory_pool())
    app = create_app(hostcap, settings, refresh_on_start=refresh_on_start, orchestration=orchestration, watch=watch)
    orchestrator = app.state.orchestrator
    for line in orchestrator.status().lines() if orchestrator else ():
        say(line)
    shown = LOOPBACK if host in ("0.0.0.0", "::") else host
    say(f"explorer: http://{shown}:{port}/")
    say(f"API docs: http://{shown}:{port}/docs")
    uvicorn.run(app, host=host, port=port, **uvicorn_options(settings, access_log))
