"""A request that keeps failing ends within the configured total retry time
(`HOSTCAP_FETCH_RETRY_BUDGET_S`), whatever the number of retries allowed and however it fails:
answered errors, a page that stalls past the timeout, a body that drips forever."""

from __future__ import annotations

import threading
import time

import pytest

from tests.acquire.conftest import layer_path, live_hostcap
from tests.acquire.emulator import Fault
from tests.acquire.layers import cecony_family
from tests.acquire.test_arcgis_pull import CONED

BUDGET_S = 1.0
#: slack over the budget for a loaded machine: far less than the 3 s timeout of one attempt
MARGIN_S = 1.0


def _first_page(path, query):
    return path.endswith("/query") and query.get("resultOffset") == "0"


FAULTS = {
    "http-500": Fault(_first_page, status=500, times=10**6),
    "stalls-past-the-timeout": Fault(_first_page, seconds=60.0, times=10**6),
    "drips-forever": Fault(_first_page, drip_s=0.1, times=10**6),
}


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_a_pull_that_keeps_failing_ends_within_the_retry_budget(tmp_path, emulator, wait_for, fault):
    # retries without practical limit, and one attempt's timeout longer than the whole budget:
    # only the budget can end the pull on time
    hostcap = live_hostcap(tmp_path, emulator.url, [CONED], retries=10**6, timeout_s=3.0, retry_budget_s=BUDGET_S)
    emulator.layers[layer_path(hostcap, CONED)] = cecony_family(10, max_record_count=4)
    emulator.faults = [FAULTS[fault]]
    outcome: dict = {}

    def fetch() -> None:
        try:
            outcome["report"] = hostcap.fetch()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test
            outcome["error"] = exc
        outcome["ended"] = time.monotonic()

    started = time.monotonic()
    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    wait_for(lambda: "ended" in outcome, "the failing fetch to end", timeout_s=BUDGET_S + 30)
    worker.join(timeout=10)
    if "error" in outcome:
        raise outcome["error"]

    [result] = outcome["report"].sources
    assert result.status == "failed" and result.page == "page 1, resultOffset=0", result
    assert "gave up" in result.error and "1 s" in result.error, result.error
    assert outcome["ended"] - started < BUDGET_S + MARGIN_S, result
