"""The explorer in a real headless Chromium against a real `hostcap serve` on 127.0.0.1.

The lake is a copy of the session's sample lake with one more snapshot (a two-source refresh)
published before the sample's was published again, so the health page has an earlier snapshot
to compare with. Every page is checked against the API's own answers, with no console error and
no failed request, and screenshotted at laptop and phone widths into `screenshots/` beside this
file (not committed) for a reviewer to look at.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

#: Debian's `chromium` package (no browser download); CHROMIUM_PATH names another build
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
FEEDER = "90846a9265100bed291343121a7ce5d9"  # coned 4Z81: installed, planned and withdrawn DER, segments

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium: install Debian's `chromium` package (or set CHROMIUM_PATH)"
)


@pytest.fixture(scope="module")
def lake(refreshed, two_source_copy, tmp_path_factory):
    """The sample lake, served, with the snapshot of a two-source refresh published before it."""
    sample = refreshed("sample", "duckdb")
    hostcap = two_source_copy(Path(sample.lake.root), tmp_path_factory.mktemp("explorer"))
    earlier = hostcap.refresh().run_id
    hostcap.lake.rollback(sample.report.run_id)
    return hostcap, earlier


@pytest.fixture(scope="module")
def server(lake, serve, wait_for) -> Iterator[str]:
    with serve(lake[0].settings) as running:
        wait_for(lambda: httpx.get(f"{running.url}/readyz").status_code == 200, "the snapshot to load")
        yield running.url


@pytest.fixture(scope="module")
def api(server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Chromium's sandbox cannot start as root (a CI container); elsewhere it stays on
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        yield launched
        launched.close()


@contextmanager
def watched_page(browser: Browser, server: str, elsewhere: list[str]) -> Iterator[Page]:
    """A laptop-sized page on `server` that fails the test on any console error, uncaught
    exception, failed request or error response; requests to any other origin than the server's
    are added to `elsewhere`."""
    context = browser.new_context(viewport=LAPTOP, locale="en-US", base_url=server, accept_downloads=True)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    opened.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    # a fetch the explorer cancels (the reader moved on) and a download's navigation end as ERR_ABORTED
    opened.on(
        "requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "") and problems.append(f"failed: {r.url} {r.failure}")
    )
    opened.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    opened.on("request", lambda r: r.url.startswith(f"{server}/") or elsewhere.append(r.url))
    yield opened
    context.close()
    assert problems == []


@pytest.fixture
def page(browser, server) -> Iterator[Page]:
    """A page on the sample's server, which has no tile server configured: it asks nothing of any other host."""
    elsewhere: list[str] = []
    with watched_page(browser, server, elsewhere) as opened:
        yield opened
    assert elsewhere == []


#: elements that stick out of the screen's right edge, other than within a scrolling table box or
#: the map (whose drawing extends past its box, which clips it)
WIDER_THAN_SCREEN = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest(".table-wrap, .leaflet-container"))
  .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${e.textContent.slice(0, 40)}`)"""


def shown(page: Page, route: str) -> None:
    """Open the explorer at `route` and wait until its view has drawn."""
    page.goto(f"/#{route}")
    wait_drawn(page)


def wait_drawn(page: Page) -> None:
    page.wait_for_selector("main:not([aria-busy]) h1")


def screenshots(page: Page, name: str) -> None:
    """The page at laptop and at phone width; at phone width nothing but wide tables (which
    scroll in their own box) may be wider than the screen."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-laptop.png", full_page=True)
    page.set_viewport_size(PHONE)
    assert page.evaluate(WIDER_THAN_SCREEN) == []
    page.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
    page.set_viewport_size(LAPTOP)


def number(text: str) -> float:
    """The first number in a formatted text such as "1,234.5 MW · 12 projects"."""
    return float(re.search(r"-?[\d,]+(\.\d+)?", text).group().replace(",", ""))


def feeder_ids(page: Page, table: str = ".results") -> list[str]:
    """The feeders a table lists, in its order: the finder's paged results, or `.map-table`."""
    links = page.locator(f"{table} table tbody td:first-child a").evaluate_all("links => links.map(a => a.hash)")
    return [link.rsplit("/", 1)[1] for link in links]


def every(api: httpx.Client, path: str, params: dict) -> list[dict]:
    """Every item of a v1 list, page by page through its cursors."""
    items, cursor = [], None
    while True:
        body = api.get(path, params={**params, **({"cursor": cursor} if cursor else {})}).json()
        items += body["data"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_overview_has_a_card_per_utility_with_the_apis_figures(page, api):
    utilities = api.get("/v1/utilities").json()["data"]
    shown(page, "/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert page.url.endswith("/#/")
    cards = page.locator(".card")
    expect(cards).to_have_count(5)
    for summary in utilities:
        card = page.locator(f'.card[data-utility="{summary["utility"]}"]')
        for field in ("feeder_count", "feeders_max_hc_above_1_mw", "feeders_max_hc_above_5_mw"):
            assert number(card.locator(f'dd[data-field="{field}"]').inner_text()) == summary[field]
        for field in ("installed_der_mw", "planned_der_mw"):
            text = card.locator(f'dd[data-field="{field}"]').inner_text()
            assert number(text) == round(summary[field], 2) and " MW" in text.replace("\u00a0", " ")
        assert card.locator('dd[data-field="der_latest_date"]').inner_text() == (summary["der_latest_date"] or "—")
    # one max HC distribution per utility and the DER chart, each an SVG with a title
    expect(page.locator(".chart-grid figure svg[role=img]")).to_have_count(5)
    expect(page.get_by_role("img", name=re.compile("DER nameplate MW by type, all utilities"))).to_be_visible()
    screenshots(page, "overview")


def test_a_filter_narrows_the_table_to_the_apis_answer_and_the_url_keeps_it(page, api):
    filters = {"utility": "coned", "min_max_hc_mw": "1"}
    expected = api.get("/v1/feeders", params={**filters, "limit": 25}).json()
    assert 0 < expected["count"] < api.get("/v1/feeders").json()["count"]
    shown(page, "/feeders")
    page.get_by_label("Utility").select_option("coned")
    page.get_by_label("Minimum max HC").fill("1")
    page.get_by_label("Minimum max HC").press("Enter")
    expect(page.get_by_role("status")).to_have_text(re.compile(rf"^{expected['count']} feeders match"))
    assert feeder_ids(page) == [f["feeder_id"] for f in expected["data"]]
    assert page.url.endswith("#/feeders?utility=coned&min_max_hc_mw=1")

    page.reload()
    wait_drawn(page)
    expect(page.get_by_role("status")).to_have_text(re.compile(rf"^{expected['count']} feeders match"))
    assert page.get_by_label("Utility").input_value() == "coned"
    assert page.get_by_label("Minimum max HC").input_value() == "1"
    assert feeder_ids(page) == [f["feeder_id"] for f in expected["data"]]

    # sorting from the keyboard: largest first, then the other way
    header = page.get_by_role("button", name="Max HC", exact=True)
    for sort, order in (("-max_hc_mw", "descending"), ("max_hc_mw", "ascending")):
        header.focus()
        page.keyboard.press("Enter")
        expect(page.locator(f'th[aria-sort="{order}"]')).to_have_text(re.compile("Max HC"))
        sorted_feeders = api.get("/v1/feeders", params={**filters, "sort": sort}).json()["data"]
        assert feeder_ids(page) == [f["feeder_id"] for f in sorted_feeders]
        assert f"sort={sort}" in page.url
        header = page.get_by_role("button", name="Max HC", exact=True)
    screenshots(page, "feeders")


def test_pages_follow_the_apis_cursor(page, api):
    everything = every(api, "/v1/feeders", {"limit": 25})
    assert len(everything) > 25
    shown(page, "/feeders")
    expect(page.get_by_role("status")).to_have_text(re.compile(rf"^{len(everything)} feeders match; showing 1–25"))
    assert feeder_ids(page) == [f["feeder_id"] for f in everything[:25]]
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("showing 26–50"))
    assert feeder_ids(page) == [f["feeder_id"] for f in everything[25:50]]
    expect(page.get_by_role("button", name="Next")).to_be_focused()  # drawn again, the focus stays
    page.get_by_role("button", name="Previous").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("showing 1–25"))


def test_the_csv_download_holds_exactly_the_filtered_feeders(page, api, tmp_path):
    filters = {"min_max_hc_mw": "0.5", "sort": "-headroom_after_queue_mw"}
    expected = every(api, "/v1/feeders", {**filters, "limit": 25})
    assert len(expected) > 25  # more than the page on screen
    shown(page, "/feeders?min_max_hc_mw=0.5&sort=-headroom_after_queue_mw")
    link = page.get_by_role("link", name=re.compile("Download CSV"))
    expect(link).to_have_text(f"Download CSV ({len(expected)} feeders)")
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "feeders.csv"
    download.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text())))
    assert [r["feeder_id"] for r in rows] == [f["feeder_id"] for f in expected]


def test_a_feeder_page_shows_its_hc_flags_and_der(page, api):
    feeder = api.get(f"/v1/feeders/{FEEDER}").json()["data"]
    ders = every(api, f"/v1/feeders/{FEEDER}/ders", {"limit": 100})
    assert {d["status"] for d in ders} == {"installed", "planned", "withdrawn"}
    shown(page, "/feeders?utility=coned")
    page.get_by_role("link", name=feeder["native_feeder_id"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Feeder {feeder['native_feeder_id']}")
    wait_drawn(page)
    figures = page.locator(".figures")
    assert number(figures.locator("div", has_text="Max hosting capacity").locator("dd").inner_text()) == round(
        feeder["max_hc_mw"], 2
    )
    headroom = figures.locator("div", has_text="Headroom after queue").locator("dd").inner_text()
    assert number(headroom) == round(feeder["headroom_after_queue_mw"], 2)
    table = page.locator(".table-wrap", has=page.locator("caption", has_text="DER records"))
    projects = table.locator("tbody td:first-child").all_inner_texts()
    assert sorted(projects) == sorted(d["native_der_id"] for d in ders)
    statuses = table.locator("tbody td:nth-child(2)").all_inner_texts()
    assert sorted(statuses) == sorted(d["status"] for d in ders)
    chart = page.get_by_role("img", name=re.compile("DER nameplate MW by type and status"))
    expect(chart).to_be_visible()
    expect(page.locator("figure", has=chart).locator(".legend li")).to_have_text(["installed", "planned", "withdrawn"])
    flags = "No data-quality flags" if not feeder["quality_flags"] else feeder["quality_flags"][0]
    expect(page.locator(".flags")).to_contain_text(flags)
    screenshots(page, "feeder")


def test_a_feeder_page_charts_and_tabulates_its_history(page, api):
    points = api.get(f"/v1/feeders/{FEEDER}/history").json()["data"]["points"]
    assert points
    shown(page, f"/feeders/{FEEDER}")
    chart = page.get_by_role("img", name=re.compile("Max hosting capacity and headroom after the queue"))
    expect(chart).to_be_visible()
    expect(chart.locator("circle")).to_have_count(2 * len(points))
    table = page.locator(".table-wrap", has=page.locator("caption", has_text="oldest first"))
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(points))
    for row, point in zip(rows.all(), points, strict=True):
        assert number(row.locator("td:nth-child(2)").inner_text()) == round(point["max_hc_mw"], 2)
        assert row.locator("td:first-child").inner_text() == point["published_at"][:10]


def test_health_lists_refreshes_their_reports_and_the_changes(page, api, lake):
    _, earlier = lake
    runs = api.get("/v1/refreshes").json()["data"]
    served = api.get("/readyz").json()["snapshot"]
    changes = api.get("/v1/changes", params={"since": earlier}).json()
    assert changes["counts"]["feeders_added"] > 0
    shown(page, "/health")
    runs_table = page.locator(".table-wrap", has=page.locator("caption", has_text="refresh runs"))
    assert runs_table.locator("tbody td:first-child").all_inner_texts() == [r["run_id"] for r in runs]
    runs_table.get_by_role("link", name=served).click()
    expect(page.get_by_role("heading", name=f"Run {served}")).to_be_visible()
    report = api.get(f"/v1/refreshes/{served}").json()["report"]
    sources = page.locator(".table-wrap", has=page.locator("caption", has_text="Per source and layer"))
    assert sources.locator("tbody td:first-child").all_inner_texts() == [s["source"] for s in report["sources"]]
    set_aside = page.locator(".table-wrap", has=page.locator("caption", has_text="quarantined and excluded"))
    expect(set_aside).to_contain_text("new_jersey")
    counts = page.locator(".table-wrap", has=page.locator("caption", has_text=f"Changes from {earlier} to {served}"))
    added = counts.locator("tr", has_text="Feeders added").locator("td").nth(1).inner_text()
    assert number(added) == changes["counts"]["feeders_added"]
    screenshots(page, "health")


def test_a_run_id_in_the_url_never_becomes_another_api_path(page, api):
    """`#/health?run=../../refreshData` once made the explorer fetch `/refreshData`, starting a
    refresh: the run ID is now checked before it becomes a URL, and the page says what is wrong."""
    runs = api.get("/v1/refreshes").json()["count"]
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    shown(page, "/health?run=../../refreshData")
    expect(page.get_by_role("alert")).to_contain_text("Not a run ID: ../../refreshData")
    assert [url for url in requested if "refreshData" in url] == []
    assert api.get("/v1/refreshes").json()["count"] == runs


def test_a_feeder_page_says_what_binds_and_warns_at_the_configured_study_age(page, api):
    feeder = api.get(f"/v1/feeders/{FEEDER}").json()["data"]
    assert feeder["binding_criterion_at_best"] != "not published" and 0 < feeder["hca_age_days"] < 365
    shown(page, f"/feeders/{FEEDER}")
    figures = page.locator(".figures")
    expect(figures.locator("div", has_text="What binds at the best location").locator("dd")).to_contain_text(
        feeder["binding_criterion_at_best"]
    )
    since = figures.locator("div", has_text="Headroom since study").locator("dd").inner_text()
    assert number(since) == round(feeder["headroom_since_study_mw"], 2)
    study = figures.locator("div", has_text="HC study").locator("dd")
    expect(study).to_contain_text(f"{feeder['hca_age_days']} days old")
    expect(study).not_to_contain_text("⚠")  # younger than the default 12 months
    shown(page, "/feeders")
    months = page.get_by_label("Warn when the HC study is older than")
    assert months.input_value() == "12"
    months.fill("3")
    months.press("Enter")
    shown(page, f"/feeders/{FEEDER}")
    expect(page.locator(".figures div", has_text="HC study").locator("dd")).to_contain_text("older than 3 months")


def test_dictionary_page_lists_every_table_field_flag_and_source_with_the_configs_names(page, api):
    found = api.get("/v1/dictionary").json()
    shown(page, "/dictionary")
    for table in found["tables"]:
        rows = page.locator(f"[data-table='{table['name']}'] tbody tr")
        assert rows.evaluate_all("rows => rows.map(r => r.dataset.field)") == [f["name"] for f in table["fields"]]
    flags = page.locator("dl.flags dt").all_inner_texts()
    assert flags == list(found["quality_flags"])
    for utility in found["utilities"]:
        section = page.locator(f"section[data-utility='{utility['utility']}']")
        expect(section.locator("h3")).to_contain_text(utility["display_name"])
        assert section.locator("li").evaluate_all("items => items.map(i => i.dataset.source)") == [
            s["source"] for s in utility["sources"]
        ]
    # the other views name utilities as their configs do, not by code
    shown(page, "/")
    names = page.locator(".card h2").all_inner_texts()
    assert names == [u["display_name"] for u in api.get("/v1/utilities").json()["data"]]
    screenshots(page, "dictionary")


#: a point on the middle of each of a feeder's drawn lines, in page pixels, where that line is the topmost
ON_LINE = """(feeder) => [...document.querySelectorAll(`path.feeder-${feeder}`)].map((path) => {
  const at = path.getPointAtLength(path.getTotalLength() / 2);
  const screen = new DOMPoint(at.x, at.y).matrixTransform(path.getScreenCTM());
  return document.elementFromPoint(screen.x, screen.y) === path ? [screen.x, screen.y] : null;
}).filter(Boolean)"""


#: whether every drawn feeder line lies inside the map's box (the map has fitted them)
FEEDERS_IN_VIEW = """() => {
  const box = document.querySelector(".map").getBoundingClientRect();
  const lines = [...document.querySelectorAll("path.feeder")].map((p) => p.getBoundingClientRect());
  return lines.length && lines.every((r) => r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom);
}"""


def drawn_feeders(page: Page) -> set[str]:
    classes = page.locator(".leaflet-overlay-pane path.feeder").evaluate_all("paths => paths.map(p => p.getAttribute('class'))")
    return {re.search(r"feeder-([0-9a-f]{32})", c).group(1) for c in classes}


def test_the_map_draws_the_matching_feeders_and_a_click_opens_one(page, api):
    located = [f for f in every(api, "/v1/feeders", {"limit": 1000}) if f["point_lat"] is not None]
    assert located
    shown(page, "/feeders")
    expect(page.locator(".map")).to_have_attribute("data-drawn", str(len(located)))
    assert drawn_feeders(page) == {f["feeder_id"] for f in located}
    expect(page.locator(".leaflet-outlines-pane path")).to_have_count(62)  # New York's county outlines
    expect(page.locator(".map-legend")).to_contain_text("Headroom after queue (MW)")
    expect(page.locator(".map-note")).to_have_text(re.compile(rf"^The map draws {len(located)} feeders with a location"))
    # a line's colour is its feeder's band of headroom after the queue
    colour = page.evaluate(
        "(h) => import('/explorer/js/map.js').then((m) => m.colourOf(h))", located[0]["headroom_after_queue_mw"]
    )
    assert page.locator(f"path.feeder-{located[0]['feeder_id']}").first.get_attribute("stroke") == colour
    screenshots(page, "map")
    # the map alone as a reader sees it (a full-page capture redraws Leaflet's panes mid-move)
    for name, size in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.locator(".map").scroll_into_view_if_needed()
        page.wait_for_function(FEEDERS_IN_VIEW)
        page.locator(".map").screenshot(path=SCREENSHOTS / f"map-view-{name}.png")
    page.set_viewport_size(LAPTOP)

    target = next(f for f in located if page.evaluate(ON_LINE, f["feeder_id"]))
    x, y = page.evaluate(ON_LINE, target["feeder_id"])[0]
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(rf"#/feeders/{target['feeder_id']}$"))
    wait_drawn(page)
    expect(page.locator("h1")).to_contain_text(target["native_feeder_id"])


def test_a_filter_changes_what_the_map_draws(page, api):
    shown(page, "/feeders")
    page.get_by_label("Utility").select_option("orange_rockland")
    expected = {f["feeder_id"] for f in every(api, "/v1/feeders", {"utility": "orange_rockland"}) if f["point_lat"] is not None}
    expect(page.locator(".map")).to_have_attribute("data-drawn", str(len(expected)))
    assert expected and drawn_feeders(page) == expected
    page.get_by_label("Utility").select_option("nyseg_rge")  # no geometry in its source: nothing drawn, and said so
    expect(page.locator(".map")).to_have_attribute("data-drawn", "0")
    expect(page.locator(".map-note")).to_contain_text("without geometry in the source are in the table only")
    assert drawn_feeders(page) == set()


def located_feeders(api: httpx.Client, params: dict) -> list[dict]:
    """The feeders the finder's `params` select that the map can draw (they have a location), in list order."""
    return [f for f in every(api, "/v1/feeders", {**params, "limit": 1000}) if f["point_lat"] is not None]


def test_the_map_as_a_table_lists_the_feeders_drawn_in_view_and_the_keyboard_opens_one(page, api, wait_for):
    filters = {"utility": "coned"}
    located = located_feeders(api, filters)
    shown(page, "/feeders?utility=coned")
    the_map = page.locator(".map")
    expect(the_map).to_have_attribute("data-drawn", str(len(located)))
    expect(page.get_by_role("region", name=re.compile("^Map of the feeders"))).to_have_count(1)
    table = page.locator(".map-table")
    expect(table.locator("caption")).to_have_text(f"The map as a table: the {len(located)} feeders it draws in its current view")
    assert feeder_ids(page, ".map-table") == [f["feeder_id"] for f in located]
    # each row says in words what the line's colour says, and the feeder's DER
    for row, feeder in zip(table.locator("tbody tr").all(), located, strict=True):
        cells = row.locator("td").all_text_contents()  # the table is folded until opened
        headroom = feeder["headroom_after_queue_mw"]
        assert number(cells[2]) == round(headroom, 2)
        band = page.evaluate("(h) => import('/explorer/js/map.js').then((m) => m.bandOf(h).label)", headroom)
        assert cells[3] == band
        assert number(cells[4]) == feeder["installed_der_count"] and number(cells[5]) == feeder["planned_der_count"]
    expect(page.locator(".map-legend li")).to_have_text(
        ["below 0", "0–1", "1–2", "2–5", "5 and more", "no figure", re.compile("DER")]
    )

    # zoomed in on one feeder's line, the table lists what `bbox` of the view answers: fewer feeders
    before = the_map.get_attribute("data-view")
    x, y = next(at[0] for f in located if (at := page.evaluate(ON_LINE, f["feeder_id"])))
    page.mouse.move(x, y)
    for _ in range(3):
        page.mouse.wheel(0, -300)
    wait_for(lambda: the_map.get_attribute("data-view") != before, "the view to change")

    def table_is_the_views() -> bool:
        view = the_map.get_attribute("data-view")
        in_view = [f["feeder_id"] for f in every(api, "/v1/feeders", {**filters, "bbox": view, "limit": 1000})]
        return feeder_ids(page, ".map-table") == in_view and the_map.get_attribute("data-view") == view

    wait_for(table_is_the_views, "the table to list the feeders in the zoomed view")
    listed = feeder_ids(page, ".map-table")
    assert 0 < len(listed) < len(located)

    # from the keyboard: past the filters, the skip link opens the table; its first link opens that feeder
    page.get_by_role("button", name="Clear").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip the map: its feeders as a table")).to_be_focused()
    page.keyboard.press("Enter")
    expect(table).to_have_attribute("open", "")
    page.keyboard.press("Tab")  # the table's scrolling region
    page.keyboard.press("Tab")
    first = next(f for f in located if f["feeder_id"] == listed[0])
    expect(table.get_by_role("link", name=first["native_feeder_id"], exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"#/feeders/{first['feeder_id']}$"))
    wait_drawn(page)
    expect(page.locator("h1")).to_contain_text(first["native_feeder_id"])


def test_der_are_drawn_at_their_feeders_point_for_the_view_and_say_so(page, api):
    asked: list[str] = []
    page.on("request", lambda r: "/v1/ders" in r.url and asked.append(r.url))
    filters = {"utility": "coned", "min_headroom_mw": "0"}  # some coned feeders have DER but no room
    drawn = {f["feeder_id"]: f for f in located_feeders(api, filters)}
    shown(page, "/feeders?utility=coned&min_headroom_mw=0")
    the_map = page.locator(".map")
    expect(the_map).to_have_attribute("data-drawn", str(len(drawn)))
    expect(the_map).to_have_attribute("data-ders", re.compile(r"^\d+$"))
    view = the_map.get_attribute("data-view")
    in_view = every(api, "/v1/ders", {"utility": "coned", "status": ["installed", "planned"], "bbox": view, "limit": 1000})
    assert {d["location_source"] for d in in_view} == {"feeder_point"}
    ders = [d for d in in_view if d["feeder_id"] in drawn]  # the DER of the feeders the filters select
    assert ders and len(ders) < len(in_view)
    expect(the_map).to_have_attribute("data-ders", str(len(ders)))
    # one marker per feeder point, saying how many DER of each status it stands for and where they really are
    markers = page.locator("path.der-point")
    expect(markers).to_have_count(len({d["feeder_id"] for d in ders}))
    feeder_id = max(drawn, key=lambda f: sum(d["feeder_id"] == f for d in ders))
    mine = [d for d in ders if d["feeder_id"] == feeder_id]
    installed = sum(d["status"] == "installed" for d in mine)
    page.locator(f"path.der-at-{feeder_id}").hover(force=True)
    tooltip = page.locator(".leaflet-tooltip", has_text="DER placed at")  # not a feeder's, should the mouse pass one
    expect(tooltip).to_contain_text(
        f"{len(mine)} DER placed at feeder {drawn[feeder_id]['native_feeder_id']}'s representative point, not their sites"
    )
    expect(tooltip).to_contain_text(f"{installed} installed ({mw_text(mine, 'installed')})")
    expect(page.locator(".map-note")).to_contain_text(f"DER: {len(ders)} installed or planned DER of the feeders drawn in view")
    # fetched for the view and bounded, never every page statewide
    assert asked and all("bbox=" in url and "limit=2000" in url and "all_pages" not in url for url in asked)

    page.locator("summary", has_text="The map as a table").click()
    screenshots(page, "map-der")
    # the layer control turns the DER off and on again
    page.get_by_label("DER (at their feeder's point)").uncheck()
    expect(markers).to_have_count(0)
    expect(page.locator(".map-note")).to_contain_text("DER: turned off in the map's layer control.")
    page.get_by_label("DER (at their feeder's point)").check()
    expect(markers).to_have_count(len({d["feeder_id"] for d in ders}))


def mw_text(ders: list[dict], status: str) -> str:
    """The MW of `ders` of `status` as the explorer writes it (en-US, two decimals at most)."""
    total = sum(d["nameplate_kw"] or 0 for d in ders if d["status"] == status) / 1000
    return f"{total:,.2f}".rstrip("0").rstrip(".") + "\u00a0MW"


def one_pixel_png(red: int, green: int, blue: int) -> bytes:
    """A valid 1×1 PNG of one colour (a browser stretches it over the tile's 256×256 pixels)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8 bits, RGB
    pixels = zlib.compress(bytes([0, red, green, blue]))  # one row: no filter, one pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


#: the tile server's answer to every tile: a pale blue, so a screenshot shows where tiles are
TILE = one_pixel_png(214, 228, 240)


@pytest.fixture
def tile_server() -> Iterator[tuple[str, list[str]]]:
    """A tile server on 127.0.0.1 answering every path with a PNG, and the paths it was asked for."""
    asked: list[str] = []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the handler's name in http.server
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(TILE)))
            self.end_headers()
            self.wfile.write(TILE)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", asked
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_web_tiles_come_from_the_configured_server_under_the_feeders(browser, lake, serve, wait_for, api, tile_server):
    tiles, asked = tile_server
    env = {"HOSTCAP_MAP_TILE_URL": f"{tiles}/tiles/{{z}}/{{x}}/{{y}}.png", "HOSTCAP_MAP_TILE_ATTRIBUTION": "Tiles: <b>ours</b>"}
    located = located_feeders(api, {})
    with serve(lake[0].settings, env=env) as running:
        wait_for(lambda: httpx.get(f"{running.url}/readyz").status_code == 200, "the snapshot to load")
        elsewhere: list[str] = []
        with watched_page(browser, running.url, elsewhere) as page:
            shown(page, "/feeders")
            expect(page.locator(".map")).to_have_attribute("data-drawn", str(len(located)))
            expect(page.locator(".leaflet-tile-pane img.leaflet-tile-loaded").first).to_be_attached()
            assert asked and all(re.fullmatch(r"/tiles/\d+/\d+/\d+\.png", path) for path in asked)
            assert elsewhere and all(url.startswith(f"{tiles}/tiles/") for url in elsewhere)
            # the operator's credit is shown as text, never as markup
            expect(page.locator(".leaflet-control-attribution")).to_contain_text("Tiles: <b>ours</b>")
            expect(page.get_by_label("Web map tiles")).to_be_checked()
            # the tiles lie under the county outlines and the feeders
            panes = page.evaluate(
                "() => ['tile', 'outlines', 'overlay'].map((p) => +getComputedStyle(document.querySelector(`.leaflet-${p}-pane`)).zIndex)"
            )
            assert panes == sorted(panes)
            screenshots(page, "map-tiles")


def test_names_from_the_data_are_text_in_the_maps_tooltips(page):
    """A native feeder ID is the source file's text; Leaflet writes a string tooltip as HTML, so
    the map's tooltips once made markup of it: now they hold it as text."""
    marked = '<b class="injected">4Z81</b>'

    def mark(route) -> None:
        response = route.fetch()
        body = response.json()
        for feature in body["features"]:
            feature["properties"]["native_feeder_id"] = marked
        route.fulfill(response=response, json=body)

    page.route(re.compile(r"/v1/(feeders|ders)\?.*format=geojson"), mark)
    shown(page, "/feeders?utility=coned")
    expect(page.locator(".map")).to_have_attribute("data-ders", re.compile(r"^[1-9]\d*$"))
    feeder = page.locator("path.feeder").first.get_attribute("class")
    x, y = page.evaluate(ON_LINE, re.search(r"feeder-([0-9a-f]{32})", feeder).group(1))[0]
    page.mouse.move(x, y)
    expect(page.locator(".leaflet-tooltip", has_text="headroom after the queue")).to_contain_text(f"{marked} · ")
    page.locator("path.der-point").first.hover(force=True)
    expect(page.locator(".leaflet-tooltip", has_text="DER placed at")).to_contain_text(f"feeder {marked}'s representative point")
    expect(page.locator(".injected")).to_have_count(0)
