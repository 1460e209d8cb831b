"""S3 credentials from AWS Secrets Manager, fetched once when hostcap starts.

For deployments that keep an access key pair in a secret rather than giving the process a
role: the secret holds `{"aws_access_key_id": ..., "aws_secret_access_key": ...}` (and
optionally `aws_session_token`). Reaching Secrets Manager itself uses the standard AWS chain.
Errors name the secret, never its value.
"""

from __future__ import annotations

import json

from hostcap.errors import ConfigError
from hostcap.io.s3 import AwsKeys, S3Access

REQUIRED = ("aws_access_key_id", "aws_secret_access_key")


def keys_from_secret(secret_id: str, region: str | None) -> AwsKeys:
    from botocore.exceptions import BotoCoreError, ClientError

    client = S3Access(region=region).client("secretsmanager")
    try:
        text = client.get_secret_value(SecretId=secret_id).get("SecretString")
    except (BotoCoreError, ClientError) as exc:
        raise ConfigError(f"cannot read the AWS Secrets Manager secret {secret_id!r}: {exc}") from None
    try:
        value = json.loads(text or "")
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(value.get(key), str) and value[key] for key in REQUIRED):
        raise ConfigError(
            f"the AWS Secrets Manager secret {secret_id!r} is not a JSON object with "
            f"{' and '.join(REQUIRED)} (its value is not shown)"
        )
    return AwsKeys(value["aws_access_key_id"], value["aws_secret_access_key"], value.get("aws_session_token") or None)
