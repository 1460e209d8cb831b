"""Property-based tests from the app's own OpenAPI schema: no 5xx, and every response (status,
content type, headers, body) conforms to what the schema documents.

A few seconds of examples per operation. The app has an API key configured and the tests do not
send it, so the refresh operations are exercised (401) without refreshing the session's lake.

The schema is loaded when this module is imported (schemathesis' fixture-based loader does not
run under pytest 9), so the app is built over a lake directory chosen now and filled from the
session's sample lake by the fixture below.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from conftest import API_KEY
from hypothesis import HealthCheck, settings

from hostcap.api import create_app
from hostcap.api.settings import ApiSettings
from hostcap.config import Settings
from hostcap.core import Hostcap

LAKE = Path(tempfile.mkdtemp(prefix="hostcap-schemathesis-")) / "lake"
app = create_app(Hostcap(Settings(lake_dir=str(LAKE))), ApiSettings(api_key=API_KEY, api_reload_interval_s=0))
# a schema-violating request may also be refused for its size (414: the query string is too long;
# 413: a body, such as a subscription's lists at their longest, over the body limit)
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422", "428", "429", "5xx"]
# a cursor is opaque: a string of the documented shape that the API never issued is a 400
ACCEPTED = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
config = schemathesis.Config.from_dict(
    {
        "checks": {
            "negative_data_rejection": {"expected-statuses": REJECTED},
            "positive_data_acceptance": {"expected-statuses": ACCEPTED},
        }
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


@pytest.fixture(scope="module", autouse=True)
def served(sample_run):
    shutil.copytree(sample_run.lake.root, LAKE)
    assert app.state.store.sync()
    yield
    shutil.rmtree(LAKE.parent)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case):
    case.call_and_validate()
