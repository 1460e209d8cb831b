"""The in-memory read model the API answers from: a published snapshot's gold in indexes,
hot-swapped when a new snapshot is published, and the background runner of API refreshes."""

from hostcap.serving.refresher import Refresher, RefreshRunning
from hostcap.serving.snapshot import Snapshot
from hostcap.serving.store import SnapshotStore

__all__ = ["RefreshRunning", "Refresher", "Snapshot", "SnapshotStore"]
