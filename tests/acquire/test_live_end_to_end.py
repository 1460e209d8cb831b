"""Done means: a full fetch → refresh → serve of all five utilities from the emulated services
(each utility's ArcGIS layer, and its DPS page linking to its SIR inventory workbook, Con
Edison's as a .7z) publishes gold whose counts equal what the emulated services held, as a real
`hostcap serve` on 127.0.0.1 answers them."""

from __future__ import annotations

import json

import httpx

from tests.acquire.conftest import REPO, layer_path, live_hostcap
from tests.acquire.test_fetch_commands import _run
from tests.acquire.utilities import LIVE_LAYERS
from tests.acquire.workbooks import dps_page, projects, seven_zip, workbook

#: per utility: the sheet its workbook uses and the row its header is on (as its live config accepts)
SHEETS = {
    "coned": ("March", 5),
    "orange_rockland": ("SIR", 5),
    "central_hudson": ("Inventory", 5),
    "national_grid": ("October", 3),
    "nyseg_rge": ("Sheet1", 5),
}
DER = {utility: f"{utility}/der" for utility in SHEETS}


def test_every_live_config_is_served_by_the_emulator():
    configs = {str(p.relative_to(REPO / "sources-live").with_suffix("")) for p in (REPO / "sources-live").glob("*/*.yaml")}
    assert configs == set(LIVE_LAYERS) | set(DER.values())


def _publish_dps_page(emulator, hostcap, utility: str, rows: list[dict]) -> None:
    page = next(c for c in hostcap.configs() if c.source_id == DER[utility]).upstream.url.split("/", 3)[3]
    sheet, header_row = SHEETS[utility]
    data = workbook(sheet, header_row, rows)
    old = workbook(sheet, header_row, rows[:1])
    if utility == "coned":
        emulator.files["coned-2026-09.7z"] = seven_zip("SIR September 2026.xlsx", old)
        emulator.files["coned-2026-10.7z"] = seven_zip("SIR October 2026.xlsx", data)
        links = [("/files/coned-2026-10.7z", "October 2026"), ("/files/coned-2026-09.7z", "September 2026")]
    else:
        emulator.files[f"{utility}-2026-09.xlsx"] = old
        emulator.files[f"{utility}-2026-10.xlsx"] = data
        links = [(f"/files/{utility}-2026-09.xlsx", "September 2026"), (f"/files/{utility}-2026-10.xlsx", "October 2026")]
    emulator.pages[page] = dps_page(*links)


def test_fetch_refresh_serve_of_all_five_utilities_publishes_what_the_services_held(tmp_path, emulator, serve):
    hostcap = live_hostcap(tmp_path, emulator.url, [*LIVE_LAYERS, *DER.values()])
    expected = {}
    for number, (source_id, live) in enumerate(LIVE_LAYERS.items()):
        utility = source_id.split("/")[0]
        layer = live.make(31 + 4 * number, max_record_count=8)
        emulator.layers[layer_path(hostcap, source_id)] = layer
        feeders = sorted(live.feeders(layer))
        ders = projects(utility, feeders, 9 + 2 * number, seed=number)
        _publish_dps_page(emulator, hostcap, utility, ders)
        statuses = [d["Project Complete (Y/N/W)"] for d in ders]
        expected[utility] = {
            "feeder_count": len(feeders),
            "segment_count": len(live.segments(layer)),
            "installed_der_count": statuses.count("Y"),
            "planned_der_count": statuses.count("N"),
            "withdrawn_der_count": statuses.count("W"),
        }
    where = ["--source", hostcap.settings.source_dir, "--config", str(hostcap.settings.config_dir)]

    fetched = _run("fetch", *where, "--json")
    assert fetched.exit_code == 0, fetched.output
    assert {(s["source"], s["status"]) for s in json.loads(fetched.stdout)["sources"]} == {
        (source_id, "fetched") for source_id in [*LIVE_LAYERS, *DER.values()]
    }
    refreshed = _run("refresh", *where, "--lake", hostcap.settings.lake_dir, "--json")
    report = json.loads(refreshed.stdout)
    assert refreshed.exit_code == 0 and report["published"], refreshed.output
    assert {s["status"] for s in report["sources"]} == {"succeeded"}

    with serve(hostcap.settings) as server:
        utilities = httpx.get(f"{server.url}/v1/utilities", timeout=30).json()["data"]
        served = {u["utility"]: {key: u[key] for key in expected["coned"]} for u in utilities}
        assert served == expected, (served, expected)
        assert all(c["feeder_count"] and c["installed_der_count"] for c in expected.values())
        for utility, counts in expected.items():
            ders = httpx.get(f"{server.url}/v1/ders", params={"utility": utility, "limit": 1}, timeout=30).json()
            assert ders["count"] == sum(v for k, v in counts.items() if k.endswith("_der_count")), utility
            feeders = httpx.get(f"{server.url}/v1/feeders", params={"utility": utility, "limit": 1}, timeout=30).json()
            assert feeders["count"] == counts["feeder_count"], utility
