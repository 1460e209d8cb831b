"""The one entry point to hostcap's work, shared by the CLI and the API (which stay thin)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from hostcap.acquire.settings import FetchSettings
from hostcap.alerts import any_subscription
from hostcap.alerts.settings import AlertSettings
from hostcap.config import Settings
from hostcap.errors import LakeError, SourceError
from hostcap.io.s3 import S3Access
from hostcap.io.secrets import keys_from_secret
from hostcap.io.storage import Storage
from hostcap.lake import GOLD_TABLES, Lake
from hostcap.lock import RefreshLock
from hostcap.registry import TABLES

if TYPE_CHECKING:
    import pyarrow as pa

    from hostcap.acquire.fetch import FetchProgress
    from hostcap.acquire.report import FetchReport
    from hostcap.alerts.notifier import Notifier
    from hostcap.config import SourceConfig
    from hostcap.diff import SnapshotDiff
    from hostcap.refresh import Progress
    from hostcap.release.stored import StoredBundle
    from hostcap.report import RefreshReport, Trigger

# The source configs' models and the refresh are imported by the methods that use them: the
# commands that only read the lake (`runs`, `snapshots`) need neither.


def s3_access(settings: Settings) -> S3Access:
    """How to reach S3 under these settings; a Secrets Manager secret is read here, once."""
    secret = settings.secrets_manager_secret_id
    keys = keys_from_secret(secret, settings.aws_region) if secret else None
    return S3Access(settings.endpoint_url, settings.aws_region, keys)


@dataclass
class Hostcap:
    """Settings plus the operations on them: validate, refresh, read the published gold.

    S3 credentials are resolved when it is made (the CLI or app starting), so a missing or
    unreadable secret fails at once rather than in the middle of a refresh.
    """

    settings: Settings = field(default_factory=Settings)
    fetch_settings: FetchSettings = field(default_factory=FetchSettings)
    #: webhook delivery (`HOSTCAP_WEBHOOK_*`)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    #: make each published snapshot's release bundle in the background right after the publish
    #: (`serve`, `watch`: long-running processes); otherwise it is made when first asked for
    bundles_after_publish: bool = False
    s3: S3Access = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.s3 = s3_access(self.settings)

    @cached_property
    def lake(self) -> Lake:
        return Lake(self.settings.lake_dir, self.s3)

    @cached_property
    def notifier(self) -> Notifier:
        """Subscriptions and their notifications, kept in the lake."""
        from hostcap.alerts.notifier import Notifier  # only for commands that notify

        return Notifier(self.lake, self.alerts)

    def stop_notifying(self, wait_s: float) -> None:
        """Give each notification this process started its first attempt (waiting up to
        `wait_s`), then stop delivering: the retries left stay in the outbox for `hostcap notify`
        or `hostcap serve`. Nothing to wait for when no notifier was made (no subscription)."""
        notifier = self.__dict__.get("notifier")  # where the `notifier` property keeps it once made
        if notifier is not None:
            notifier.wait_idle(wait_s)
            notifier.stop()

    def sources(self) -> Storage:
        return Storage(self.settings.source_dir, self.s3)

    def configs(self) -> list[SourceConfig]:
        from hostcap.config import load_source_configs

        return load_source_configs(Path(self.settings.config_dir))

    def validate(self) -> dict[str, list[str]]:
        """Per source: problems with its files (none found, unreadable, missing required columns).

        Config errors themselves raise ConfigError listing every bad file and field; a source
        root out of reach raises StorageError.
        """
        # imported here: the readers load pyarrow, which a command with nothing to do never needs
        from hostcap.io.readers import read_headers
        from hostcap.layers.bronze import column_problems

        storage = self.sources()
        storage.check()
        problems: dict[str, list[str]] = {}
        for config in self.configs():
            found = problems.setdefault(config.source_id, [])
            files = storage.list_files(config.location, config.read.pattern)
            if not files:
                found.append(f"no files matching {config.read.pattern!r} in {config.location}")
            for ref in files:
                if ref.refused:
                    found.append(f"{ref.path}: refused: {ref.refused}")
                    continue
                try:
                    headers = read_headers(storage.read_bytes(ref.path), config.read, config.source_id, ref.path)
                except SourceError as exc:
                    found.append(exc.message)
                    continue
                found.extend(f"{ref.path}: {problem}" for problem in column_problems(config, headers))
        return problems

    def fetch(self, names: list[str] | None = None, progress: FetchProgress | None = None) -> FetchReport:
        """Pull the named sources (default: all with an upstream) into their landing locations."""
        from hostcap.acquire.fetch import fetch

        return fetch(self.sources(), self.configs(), self.fetch_settings, names, progress)

    def source_status(self) -> list[dict]:
        """Per source: kind, upstream, last pull, upstream last-edit date and how stale it is."""
        from hostcap.acquire.status import source_status

        storage = self.sources()
        return [source_status(storage, config) for config in self.configs()]

    def refresh(
        self,
        progress: Progress | None = None,
        run_id: str | None = None,
        trigger: Trigger = "manual",
        fetch: bool | None = None,
    ) -> RefreshReport:
        """Run a refresh; `run_id` lets a caller (the API) name the run before it starts. With
        `fetch` (default: the `HOSTCAP_FETCH_BEFORE_REFRESH` setting) the sources with an
        upstream are fetched first.

        The one path every refresh takes (the CLI, the API, the watcher, the scheduler): the
        configs are loaded, and fetched from, inside the guarded run, so an attempt whose configs
        fail to load ends `failed` with its report in the lake, as `hostcap runs` and
        `/v1/refreshes` show it. Raises RefreshBusy naming the running run when another refresh
        holds the lake (the run never started). A publish is then notified to the subscriptions in
        the background (`notifier`, made only when the lake holds a subscription): never holding
        up or failing the refresh.
        """
        from hostcap.refresh import Loaded, RefreshContext, run_refresh

        say = progress or (lambda message: None)

        def load() -> Loaded:
            configs = self.configs()
            if fetch if fetch is not None else self.fetch_settings.before_refresh:
                say("fetching")
                self.fetch()
            return Loaded(configs, self._upstream_problems(configs))

        ctx = RefreshContext(
            sources=self.sources(),
            lake=self.lake,
            load=load,
            engine_kind=self.settings.engine,
            strict=self.settings.strict,
            keep_snapshots=self.settings.keep_snapshots,
            keep_runs=self.settings.keep_runs,
            history_months=self.settings.history_months,
            workers=self.settings.source_workers(),
            lock_lease_s=self.settings.lock_lease_s,
            settle_s=self.settings.settle_s,
            plan_cache_dir=self.settings.plan_cache(),
            trigger=trigger,
            spark_master=self.settings.spark_master,
            progress=say,
            **({"run_id": run_id} if run_id else {}),
        )
        report = run_refresh(ctx)
        if report.published:
            if any_subscription(self.lake.storage):  # else nobody to notify: the notifier is not loaded
                self.notifier.published(report.snapshot)
            if self.bundles_after_publish:
                from hostcap.release.stored import after_publish

                after_publish(self.lake, self.configs, report.snapshot)
        return report

    def bundle(self, snapshot: str | None = None) -> StoredBundle:
        """The release bundle of `snapshot` (default: the published one), made now if no process
        has made it yet (see hostcap.release.stored)."""
        from hostcap.release.stored import stored_bundle

        return stored_bundle(self.lake, self.configs, snapshot)

    def _upstream_problems(self, configs: list[SourceConfig]) -> dict[str, str]:
        if not any(config.upstream for config in configs):
            return {}
        from hostcap.acquire.status import upstream_problems

        return upstream_problems(self.sources(), configs)

    def rollback(self, snapshot: str) -> None:
        """Publish an earlier snapshot again (under the refresh lock, so no refresh races it); the
        history records it as a new entry carrying that snapshot's values."""
        from hostcap.history.store import follow

        with RefreshLock(self.lake, f"rollback-{snapshot}", self.settings.lock_lease_s):
            self.lake.rollback(snapshot)
            follow(self.lake, self.settings.history_months)

    def feeder_history(self, feeder: str) -> dict:
        """A feeder's values at every publish the history recorded (see `hostcap.history`), the
        feeder named by its canonical or native ID; LakeError when the history has no such feeder."""
        from hostcap.history import store, views

        history = store.read(self.lake) or store.Recorded.empty()
        try:
            feeder_id = views.find_feeder(history, feeder)
        except LookupError as exc:
            raise LakeError(str(exc)) from None
        if feeder_id is None:
            raise LakeError(f"no feeder {feeder} in the {len(history.entries)} publishes the history recorded")
        return views.feeder_history(history, feeder_id)

    def diff(self, old: str, new: str | None = None) -> SnapshotDiff:
        """What changed from snapshot `old` to `new` (default: the published one)."""
        from hostcap.diff import diff_snapshots  # its models are built when imported: only this command needs them

        return diff_snapshots(self.lake, old, new or self.lake.require_current())

    def gold_table(self, name: str) -> pa.Table:
        """A published gold table, its columns as the registry orders them; feeders as the API
        serves them (with their ages and queue scenarios as of the snapshot's build date, see
        hostcap.feeder_view)."""
        from hostcap.feeder_view import feeder_view, snapshot_date  # pyarrow: only for commands that read gold

        if name not in GOLD_TABLES:
            raise ValueError(f"unknown table {name!r}; one of {', '.join(GOLD_TABLES)}")
        snapshot = self.lake.require_current()
        table = self.lake.read_table(name, snapshot=snapshot)
        if name == "feeders":
            ders = self.lake.read_table("ders", snapshot=snapshot)
            table = feeder_view(table, ders, snapshot_date(snapshot), self.settings.queue_stale_months)
        return table.select(TABLES[name].served_columns)
