// Feeder finder: filters and sort kept in the URL, a map of the feeders the filters select (the
// API's GeoJSON) and their DER, the map as a table (reached by a skip link), a paged table from
// /v1/feeders, and a CSV download of every feeder the filters select (the API's CSV with `all_pages=true`).

import { ApiError, apiUrl, getJson } from "../api.js";
import { h, replace, setTitle, uid } from "../dom.js";
import { count, counted, date, kv, mw, NONE, utilityName } from "../format.js";
import { SCENARIOS, setWarnMonths, studyIsStale, studyAge, warnMonths } from "../freshness.js";
import { feederMap, mapNote } from "../map.js";
import { derNote } from "../map-ders.js";
import { mapTable } from "../map-table.js";
import { dataTable, nextSort } from "../table.js";

const FILTERS = ["utility", "substation", "min_max_hc_mw", "min_headroom_mw", "scenario"];
const DEFAULT_SORT = "utility"; // the API's: by utility, then native feeder ID
const PAGE_SIZES = [25, 50, 100];

const COLUMNS = [
  { label: "Feeder", cell: (f) => h("a", { href: `#/feeders/${f.feeder_id}` }, f.native_feeder_id) },
  { label: "Utility", sortKey: "utility", cell: (f) => utilityName(f.utility) },
  { label: "Substation", cell: (f) => f.substation_name ?? NONE },
  { label: "Voltage", numeric: true, cell: (f) => kv(f.voltage_kv) },
  { label: "Max HC", numeric: true, sortKey: "max_hc_mw", cell: (f) => mw(f.max_hc_mw) },
  { label: "Min HC", numeric: true, sortKey: "min_hc_mw", cell: (f) => mw(f.min_hc_mw) },
  {
    label: "Headroom after queue",
    numeric: true,
    sortKey: "headroom_after_queue_mw",
    cell: (f) => h("span", { class: f.headroom_after_queue_mw < 0 ? "negative" : null }, mw(f.headroom_after_queue_mw)),
  },
  {
    label: "Headroom since study",
    numeric: true,
    sortKey: "headroom_since_study_mw",
    cell: (f) => h("span", { class: f.headroom_since_study_mw < 0 ? "negative" : null }, mw(f.headroom_since_study_mw)),
  },
  { label: "Binds at best location", cell: (f) => f.binding_criterion_at_best },
  {
    label: "HC study",
    sortKey: "hca_age_days",
    cell: (f) => h("span", { class: studyIsStale(f) ? "stale" : null, title: studyAge(f) }, date(f.hca_refresh_date), studyIsStale(f) ? " ⚠" : ""),
  },
  { label: "Installed DER", numeric: true, sortKey: "installed_der_mw", cell: (f) => mw(f.installed_der_mw) },
  { label: "Planned DER", numeric: true, sortKey: "planned_der_mw", cell: (f) => mw(f.planned_der_mw) },
  { label: "Flags", cell: (f) => f.quality_flags.join(", ") || NONE },
];

export default async function finder({ root, params, signal }) {
  setTitle("Feeders");
  const limit = Number(params.get("limit"));
  const state = {
    filters: Object.fromEntries(FILTERS.map((name) => [name, params.get(name) ?? ""])),
    sort: params.get("sort") || DEFAULT_SORT,
    limit: PAGE_SIZES.includes(limit) ? limit : PAGE_SIZES[0],
    cursors: [null], // the cursor of each page up to the one shown (for "Previous")
  };
  const [utilities, substations] = await Promise.all([
    getJson("/v1/utilities", {}, signal),
    getJson("/v1/substations", { all_pages: true }, signal),
  ]);
  const status = h("p", { class: "count", role: "status" });
  const download = h("a", { class: "button", download: "feeders.csv" }, "Download CSV");
  const results = h("div", { class: "results" });

  let loads = 0;
  const load = async () => {
    const query = { ...state.filters, sort: state.sort, limit: state.limit, cursor: state.cursors.at(-1) };
    const ticket = ++loads;
    let page;
    try {
      page = await getJson("/v1/feeders", query, signal);
    } catch (error) {
      // the reader left the page (aborted), or a newer filter is on its way: nothing to show
      if (error.name === "AbortError" || ticket !== loads) return;
      const why = error instanceof ApiError ? `The filter was not accepted: ${error.message}` : error.message;
      replace(status, "");
      replace(results, h("p", { role: "alert", class: "error" }, why));
      return;
    }
    if (ticket !== loads) return;
    const first = (state.cursors.length - 1) * state.limit;
    replace(
      status,
      `${counted(page.count, "feeder")} ${page.count === 1 ? "matches" : "match"}`,
      page.count ? `; showing ${count(first + 1)}–${count(first + page.data.length)}.` : ".",
    );
    download.setAttribute("href", apiUrl("/v1/feeders", { ...state.filters, sort: state.sort, format: "csv", all_pages: true }));
    replace(download, `Download CSV (${counted(page.count, "feeder")})`);
    replace(results, table(page), pager(page));
  };

  const tableId = uid("map-table");
  const mapBox = h("div", {
    class: "map",
    role: "region",
    "aria-label": "Map of the feeders matching the filters and their DER (the map as a table follows it)",
  });
  const note = h("p", { class: "map-note" });
  const derLine = h("span", { class: "der-note" });
  const mapRows = h("div", { id: tableId, tabindex: -1 });
  const asTable = h("details", { class: "map-table" }, h("summary", {}, "The map as a table"), mapRows);
  // keyboard and screen-reader users skip the map to the same results as a table
  const skip = h(
    "a",
    {
      class: "skip-map",
      href: `#${tableId}`,
      onclick: (event) => {
        event.preventDefault(); // the hash holds the route
        asTable.open = true;
        mapRows.focus();
      },
    },
    "Skip the map: its feeders as a table",
  );
  let map = null;
  let draws = 0;
  const drawMap = async () => {
    const ticket = ++draws;
    try {
      const drawn = await map.draw(state.filters, signal);
      if (ticket === draws) replace(note, mapNote(drawn), " ", derLine);
    } catch (error) {
      if (error.name !== "AbortError" && ticket === draws) replace(note, h("span", { class: "error" }, error.message));
    }
  };
  const onView = (feeders) => replace(mapRows, mapTable(feeders));
  const onDers = (summary) => replace(derLine, derNote(summary));

  const apply = () => {
    state.cursors = [null];
    // the URL names what differs from the defaults; replaced, not pushed: Back leaves the finder
    const sort = state.sort === DEFAULT_SORT ? null : state.sort;
    const limit = state.limit === PAGE_SIZES[0] ? null : state.limit;
    history.replaceState(null, "", `#${apiUrl("/feeders", { ...state.filters, sort, limit })}`);
    return Promise.all([load(), drawMap()]);
  };

  const table = (page) => {
    const descending = state.sort.startsWith("-");
    return dataTable({
      caption: "Feeders matching the filters",
      columns: COLUMNS,
      rows: page.data,
      sort: { key: state.sort.replace(/^-/, ""), descending },
      onSort: (key) => {
        // the API sorts by utility ascending only; numbers either way, largest first on the first click
        const next = nextSort({ key: state.sort.replace(/^-/, ""), descending }, key);
        state.sort = key === DEFAULT_SORT ? DEFAULT_SORT : `${next.descending ? "-" : ""}${key}`;
        apply().then(() => results.querySelector(`th[aria-sort]:not([aria-sort="none"]) button`)?.focus());
      },
      empty: "No feeder matches these filters.",
    });
  };

  const pager = (page) => {
    const pages = Math.max(1, Math.ceil(page.count / state.limit));
    const move = (step) => {
      if (step > 0) state.cursors.push(page.next_cursor);
      else state.cursors.pop();
      // the pager is drawn again: keep the focus on the button used, or on the other one at either end
      load().then(() => {
        const enabled = [...results.querySelectorAll(".pager button:not(:disabled)")];
        (enabled.find((b) => Number(b.dataset.step) === step) ?? enabled[0])?.focus();
      });
    };
    return h(
      "nav",
      { class: "pager", "aria-label": "Pages" },
      h("span", {}, `Page ${count(state.cursors.length)} of ${count(pages)}`),
      h("button", { type: "button", disabled: state.cursors.length === 1, dataset: { step: -1 }, onclick: () => move(-1) }, "Previous"),
      h("button", { type: "button", disabled: page.next_cursor == null, dataset: { step: 1 }, onclick: () => move(1) }, "Next"),
    );
  };

  const form = filterForm(state, utilities.data, substations.data, apply);
  replace(
    root,
    h("h1", {}, "Feeders"),
    form,
    skip,
    mapBox,
    note,
    asTable,
    h("div", { class: "summary" }, status, download),
    results,
  );
  map = feederMap(mapBox, { onView, onDers });
  await Promise.all([load(), drawMap()]);
}

/** The filter form; any change applies it (as does Enter in a field). */
function filterForm(state, utilities, substations, apply) {
  const field = (label, control, hint = null) => {
    control.id = uid("filter");
    return h("div", { class: "field" }, h("label", { for: control.id }, label, hint && h("small", {}, hint)), control);
  };
  const listId = uid("substations");
  const number = (name, min) =>
    h("input", { type: "number", name, step: "any", min, inputmode: "decimal", value: state.filters[name] });
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter feeders" },
    field(
      "Utility",
      h(
        "select",
        { name: "utility" },
        h("option", { value: "" }, "All utilities"),
        utilities.map((u) =>
          h("option", { value: u.utility, selected: u.utility === state.filters.utility }, utilityName(u.utility)),
        ),
      ),
    ),
    field("Substation", h("input", { type: "text", name: "substation", list: listId, value: state.filters.substation, autocomplete: "off" })),
    h("datalist", { id: listId }, [...new Set(substations.map((s) => s.substation_name))].map((name) => h("option", { value: name }))),
    field("Minimum max HC", number("min_max_hc_mw", 0), " MW"),
    field("Minimum headroom", number("min_headroom_mw", null), " MW"),
    field(
      "Queue scenario",
      h(
        "select",
        { name: "scenario" },
        Object.entries(SCENARIOS).map(([value, s]) =>
          h("option", { value: value === "all_queued" ? "" : value, selected: value === (state.filters.scenario || "all_queued") }, s.label),
        ),
      ),
    ),
    field(
      "Warn when the HC study is older than",
      h("input", { type: "number", name: "warn_months", min: 1, step: 1, inputmode: "numeric", value: warnMonths() }),
      " months",
    ),
    field(
      "Rows per page",
      h("select", { name: "limit" }, PAGE_SIZES.map((n) => h("option", { value: n, selected: n === state.limit }, n))),
    ),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit" }, "Apply"),
      h("button", { type: "reset", class: "secondary" }, "Clear"),
    ),
  );
  const read = () => {
    const data = new FormData(form);
    for (const name of FILTERS) state.filters[name] = String(data.get(name) ?? "").trim();
    state.limit = Number(data.get("limit"));
    setWarnMonths(Number(data.get("warn_months")));
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    read();
    apply();
  });
  form.addEventListener("change", () => {
    read();
    apply();
  });
  form.addEventListener("reset", () => {
    // after the browser has reset the fields to their initial values, empty them and apply
    setTimeout(() => {
      for (const name of FILTERS) form.elements[name].value = "";
      read();
      apply();
    });
  });
  return form;
}
