"""Project settings, read from `HOSTCAP_*` environment variables when the CLI or app starts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the sources, their configs and the lake live, and how to run."""

    model_config = SettingsConfigDict(env_prefix="HOSTCAP_", extra="forbid")

    source_dir: str = Field(
        "data/sample",
        description="Root of the source files, a directory or `s3://bucket/prefix`: `<root>/<utility>/<dataset>/` "
        "holds each dataset's files.",
    )
    lake_dir: str = Field(
        "lake", description="Root of the lake, a directory or `s3://bucket/prefix`: snapshots and the published pointer."
    )
    config_dir: Path = Field(
        Path("sources"), description="Directory of source configs, one `<utility>/<dataset>.yaml` per source."
    )
    engine: Literal["duckdb", "spark"] = Field(
        "duckdb", description="Execution engine for the transforms: in-process DuckDB, or Apache Spark (extra `spark`)."
    )
    spark_master: str = Field(
        "local[*]", description="Spark master URL when `engine` is spark: `local[*]` uses every core of this machine."
    )
    strict: bool = Field(False, description="Fail the whole refresh when any source fails (default: it fails alone).")
    queue_stale_months: int = Field(
        24,
        ge=1,
        description="The `without_stale` headroom scenario drops queued projects whose latest date (queued, "
        "application, milestone) is more than this many months before the snapshot's build date.",
    )
    keep_snapshots: int = Field(10, ge=1, description="Published snapshots kept for history, diff and rollback.")
    history_months: int = Field(
        36,
        ge=1,
        description="Months of feeder and DER history kept (`/v1/feeders/{id}/history`, `hostcap history`): one "
        "entry per publish, in the lake's `history/` beside the snapshots, which retention does not touch.",
    )
    keep_runs: int = Field(
        200,
        ge=1,
        description="Refresh run reports kept (`hostcap runs`, `/v1/refreshes`); older ones are deleted when a "
        "refresh starts, except those of the snapshots kept.",
    )
    endpoint_url: str | None = Field(
        None,
        description="Endpoint of an S3-compatible store (`http(s)://host[:port]`) for `s3://` roots, used by every "
        "S3 call (data, lock); unset: the standard `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`, else AWS S3.",
    )
    aws_region: str | None = Field(
        None, description="AWS region of the buckets and of the secret; unset: the AWS configuration's (AWS_REGION, profile)."
    )
    secrets_manager_secret_id: str | None = Field(
        None,
        description="Name or ARN of an AWS Secrets Manager secret holding the S3 key pair as JSON "
        "(`aws_access_key_id`, `aws_secret_access_key`), fetched at start; unset: the standard AWS credential chain.",
    )
    lock_lease_s: float = Field(
        60.0,
        ge=1,
        description="Seconds the refresh lock's lease on an S3 lake lasts unless renewed: how long a refresh that "
        "died can block the lake.",
    )
    settle_s: float = Field(
        2.0,
        ge=0,
        description="Seconds a local source file must go unmodified before a refresh takes it as delivered: a "
        "file written more recently is waited for (up to ten times as long), and a file still changing after "
        "that fails its source for this run. Object stores need no wait (an object appears whole); 0 disables.",
    )
    workers: int = Field(
        0,
        ge=0,
        description="Sources loaded side by side, the largest first (on Spark, each on a session of its own); "
        "0 means one per CPU core, at most 4.",
    )
    plan_cache_dir: Path | None = Field(
        None,
        description="Directory of compiled query plans, reused while a source's config, its files' header set "
        "and hostcap's code are unchanged (safe to delete; shared by every lake); unset: "
        "`$XDG_CACHE_HOME/hostcap/plans`, else `~/.cache/hostcap/plans`.",
    )

    def source_workers(self) -> int:
        """The number of sources to load side by side: `workers`, or the machine's cores."""
        return self.workers or min(os.cpu_count() or 1, 4)

    def plan_cache(self) -> Path:
        """`plan_cache_dir`, or the user's cache directory."""
        if self.plan_cache_dir is not None:
            return self.plan_cache_dir
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hostcap" / "plans"
