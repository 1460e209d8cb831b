"""The in-memory read model the API answers from: a published snapshot's gold in indexes,
hot-swapped when a new snapshot is published. It knows snapshots, not how they are made: the
refresh runner (hostcap.orchestration.runner) tells it when a run has finished."""

from hostcap.serving.snapshot import Snapshot
from hostcap.serving.store import SnapshotStore

__all__ = ["Snapshot", "SnapshotStore"]
