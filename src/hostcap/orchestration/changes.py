"""Whether the source content differs from what the last refresh saw: the watcher's trigger is keyed
by content, so a file delivered again with the same bytes (or only touched) starts nothing.

The fingerprints are the refresh's own (`plan_source`: each source's config, the code version, the
engine, and every file's path and sha256), so the watcher and the refresh agree on what "changed" means; a
removed file changes its source's fingerprint as an added one does.
"""

from __future__ import annotations

from hostcap.core import Hostcap
from hostcap.errors import LakeDamaged
from hostcap.refresh import plan_source, source_files

Fingerprints = dict[str, str]


def source_fingerprints(hostcap: Hostcap) -> Fingerprints:
    """Per configured source, the fingerprint of its config and files as they are now."""
    storage = hostcap.sources()
    return {
        config.source_id: plan_source(config, source_files(storage, config), None, hostcap.settings.engine).fingerprint
        for config in hostcap.configs()
    }


def published_fingerprints(hostcap: Hostcap) -> Fingerprints:
    """Per source, the fingerprint the published snapshot was built from (empty before a publish,
    or when the pointer or manifest is damaged: a refresh then runs, and repairs it)."""
    try:
        current = hostcap.lake.current()
        manifest = hostcap.lake.read_manifest(current) if current else {}
    except LakeDamaged:
        manifest = {}
    return {source_id: entry["fingerprint"] for source_id, entry in manifest.items()}


class ContentKey:
    """The source content last refreshed, to compare the current content with.

    It starts as the published snapshot's, so a watcher started after files changed refreshes
    once; after each refresh it is what that refresh saw, whether or not it published, so a
    failing file delivered again unchanged is not retried in a loop.
    """

    def __init__(self, hostcap: Hostcap):
        self.hostcap = hostcap
        self.refreshed: Fingerprints = published_fingerprints(hostcap)

    def current(self) -> Fingerprints:
        return source_fingerprints(self.hostcap)

    def differs(self, fingerprints: Fingerprints) -> bool:
        return fingerprints != self.refreshed
