"""How hostcap reaches S3: endpoint, region and credentials, shared by pyarrow and boto3.

Data goes through pyarrow's S3 filesystem; boto3 is used only where pyarrow cannot go (Secrets
Manager, the conditional PUT that takes the refresh lock, and a whole-object read that is one
GET: hostcap.io.arrow_files.S3Files). Both are built from one
`S3Access`, so they always talk to the same store with the same identity. With no keys given,
both use the standard AWS credential chain (environment, profile, role).

The endpoint is resolved once, when the access is made: hostcap's own setting, else the AWS
SDKs' standard variables `AWS_ENDPOINT_URL_S3` then `AWS_ENDPOINT_URL`, else AWS S3 itself.
boto3 would read those variables on its own but pyarrow does not: left to each library, the
lock and the data could go to two different stores.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from hostcap.errors import ConfigError

if TYPE_CHECKING:
    import pyarrow.fs as pafs


@dataclass(frozen=True)
class AwsKeys:
    """An access key pair (from Secrets Manager). The secret parts never show in a repr."""

    access_key_id: str = field(repr=False)
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)


#: the AWS SDKs' standard variables naming an S3-compatible store's endpoint, the first set wins
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")


def standard_endpoint() -> str | None:
    """The endpoint the standard AWS variables name, or None (AWS S3 itself)."""
    return next((os.environ[name] for name in ENDPOINT_VARIABLES if os.environ.get(name)), None)


@dataclass(frozen=True)
class S3Access:
    """Where S3 is and who we are there; `keys=None` means the AWS default credential chain.

    `endpoint_url=None` means: the one the standard variables name (`standard_endpoint`), read
    here, once, and then used by pyarrow and boto3 alike."""

    endpoint_url: str | None = None
    region: str | None = None
    keys: AwsKeys | None = None

    def __post_init__(self) -> None:
        if self.endpoint_url is None:
            object.__setattr__(self, "endpoint_url", standard_endpoint())

    def filesystem(self) -> pafs.S3FileSystem:
        import pyarrow.fs as pafs  # only S3 roots need it

        options: dict = {"region": self.region} if self.region else {}
        if self.endpoint_url:
            url = urlsplit(self.endpoint_url)
            if url.scheme not in ("http", "https") or not url.netloc:
                raise ConfigError(f"endpoint_url must look like http(s)://host[:port], not {self.endpoint_url!r}")
            options.update(endpoint_override=url.netloc, scheme=url.scheme)
        if self.keys:
            options.update(
                access_key=self.keys.access_key_id,
                secret_key=self.keys.secret_access_key,
                session_token=self.keys.session_token,
            )
        return pafs.S3FileSystem(**options)

    def client(self, service: str = "s3"):
        """A boto3 client for `service`; S3's talks to `endpoint_url` like the filesystem does.
        Made once per access and service (clients are thread-safe, and slow to make)."""
        return _client(self, service)

    def redact(self, text: str) -> str:
        """`text` with every credential value we hold blanked out: errors from the store are
        shown to people, and a credential must never be among what they see."""
        if self.keys:
            for value in (self.keys.access_key_id, self.keys.secret_access_key, self.keys.session_token):
                if value:
                    text = text.replace(value, "***")
        return text


@cache
def _client(access: S3Access, service: str):
    import boto3  # only S3 lakes and Secrets Manager need it
    from botocore.config import Config

    keys = access.keys
    session = boto3.session.Session(
        aws_access_key_id=keys.access_key_id if keys else None,
        aws_secret_access_key=keys.secret_access_key if keys else None,
        aws_session_token=keys.session_token if keys else None,
        region_name=access.region,
    )
    config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30)
    endpoint = access.endpoint_url if service == "s3" else None
    return session.client(service, endpoint_url=endpoint, config=config)
