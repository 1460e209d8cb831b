"""S3 credentials from AWS Secrets Manager (moto's), fetched when hostcap starts."""

from __future__ import annotations

import json

import pytest
from moto.core.authorization import enable_iam_authentication

from hostcap.config import Settings
from hostcap.core import Hostcap
from hostcap.errors import ConfigError, StorageError
from tests.s3.conftest import REGION, MotoS3


def settings(moto: MotoS3, bucket: str, secret_id: str | None) -> Settings:
    return Settings(
        lake_dir=f"s3://{bucket}/lake", endpoint_url=moto.endpoint, aws_region=REGION, secrets_manager_secret_id=secret_id
    )


def test_the_key_pair_in_the_secret_is_what_s3_is_reached_with(moto_s3: MotoS3):
    bucket = moto_s3.bucket()
    iam = moto_s3.client("iam")
    iam.create_user(UserName="reader")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    iam.put_user_policy(UserName="reader", PolicyName="all-s3", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    pair = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    moto_s3.client("secretsmanager").create_secret(Name="hostcap/reader", SecretString=json.dumps(pair))

    with_secret = Hostcap(settings(moto_s3, bucket, "hostcap/reader"))
    without = Hostcap(settings(moto_s3, bucket, None))
    assert with_secret.s3.keys.access_key_id == key["AccessKeyId"] and without.s3.keys is None
    assert key["SecretAccessKey"] not in repr(with_secret) + repr(with_secret.s3) + repr(with_secret.s3.keys)
    with enable_iam_authentication():  # only keys of a known identity open the bucket now
        assert with_secret.lake.current() is None
        with pytest.raises(StorageError) as denied:
            without.lake.current()
    assert f"s3://{bucket}/lake/CURRENT.json" in str(denied.value)


def test_a_missing_secret_is_a_config_error_naming_it(moto_s3: MotoS3):
    with pytest.raises(ConfigError) as missing:
        Hostcap(settings(moto_s3, "any-bucket", "hostcap/absent"))
    assert "'hostcap/absent'" in missing.value.message and "ResourceNotFoundException" in missing.value.message


@pytest.mark.parametrize(
    "value",
    ['{"access_key": "AKIASHOULDNOTSHOW", "secret": "do-not-print-me"}', "do-not-print-me", '["do-not-print-me"]'],
)
def test_a_secret_without_the_key_pair_is_a_config_error_that_never_shows_its_value(moto_s3: MotoS3, value: str):
    name = f"hostcap/bad-{abs(hash(value))}"
    moto_s3.client("secretsmanager").create_secret(Name=name, SecretString=value)
    with pytest.raises(ConfigError) as bad:
        Hostcap(settings(moto_s3, "any-bucket", name))
    assert name in bad.value.message and "aws_access_key_id and aws_secret_access_key" in bad.value.message
    assert "do-not-print-me" not in str(bad.value) and "AKIASHOULDNOTSHOW" not in str(bad.value)
