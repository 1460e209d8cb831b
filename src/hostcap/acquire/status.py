"""How current each source is: what `hostcap sources` lists and what a refresh reports.

Read from what fetches leave beside each landed file (see `hostcap.acquire.landing`); a source
without an upstream has its files delivered, and only its kind is known here.
"""

from __future__ import annotations

import datetime as dt

from hostcap.acquire.landing import Landing
from hostcap.config.source import SourceConfig
from hostcap.io.storage import Storage


def _age(pulled_at: str | None) -> str:
    if not pulled_at:
        return "never pulled"
    seconds = (dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(pulled_at)).total_seconds()
    days, hours = divmod(int(seconds) // 3600, 24)
    return f"{days} d {hours} h" if days else f"{hours} h {int(seconds) % 3600 // 60} min"


def source_status(storage: Storage, config: SourceConfig) -> dict:
    """One source: kind, upstream, last pull, upstream last-edit date, how stale it is, last attempt."""
    if config.upstream is None:
        return {
            "source": config.source_id,
            "kind": "files",
            "upstream": None,
            "last_pull": None,
            "upstream_last_edit": None,
            "age": None,
            "last_fetch": None,
            "error": None,
        }
    landing = Landing(storage, config)
    pull, attempt = landing.last_pull() or {}, landing.last_attempt() or {}
    return {
        "source": config.source_id,
        "kind": config.upstream.kind,
        "upstream": config.upstream.url,
        "last_pull": pull.get("pulled_at"),
        "upstream_last_edit": pull.get("upstream_last_edit"),
        "age": _age(pull.get("pulled_at")),
        "last_fetch": attempt.get("status"),
        "error": attempt.get("error") and f"{attempt.get('url')} ({attempt.get('page') or 'request'}): {attempt['error']}",
    }


def upstream_problems(storage: Storage, configs: list[SourceConfig]) -> dict[str, str]:
    """Per source whose last fetch failed: why (the URL, page and error), for the refresh report."""
    problems = {}
    for config in configs:
        if config.upstream is None:
            continue
        status = source_status(storage, config)
        if status["last_fetch"] in ("stale", "failed"):
            problems[config.source_id] = f"{config.source_id}: the last fetch failed: {status['error']}"
    return problems
