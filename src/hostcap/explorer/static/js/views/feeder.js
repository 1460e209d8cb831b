// One feeder: its hosting capacity and headroom, quality flags in words, its DER as a chart and
// a table, and its segments where the source has them.

import { ApiError, apiUrl, getJson, idPath } from "../api.js";
import { barChart, lineChart } from "../charts.js";
import { h, replace, setTitle } from "../dom.js";
import { count, counted, date, derType, flagText, kv, kw, mw, NONE, utilityName } from "../format.js";
import { SCENARIOS, studyAge, studyIsStale } from "../freshness.js";
import { dataTable, nextSort, sortRows } from "../table.js";

const STATUSES = ["installed", "planned", "withdrawn"];
const SINCE_SOURCE = { utility_published: "the utility's figure", project_records: "from project completion dates" };
const SEGMENTS_SHOWN = 100;

const DER_COLUMNS = [
  { label: "Project", sortKey: "native_der_id", cell: (d) => d.native_der_id },
  { label: "Status", sortKey: "status", cell: (d) => h("span", { class: `badge ${d.status}` }, d.status) },
  { label: "Type", sortKey: "der_type", cell: (d) => derType(d.der_type) },
  { label: "Nameplate", numeric: true, sortKey: "nameplate_kw", cell: (d) => kw(d.nameplate_kw) },
  { label: "Applied", sortKey: "application_date", cell: (d) => date(d.application_date) },
  { label: "In service", sortKey: "completion_date", cell: (d) => date(d.completion_date ?? d.planned_in_service_date) },
  { label: "Developer", cell: (d) => d.developer ?? NONE },
  { label: "Flags", cell: (d) => d.quality_flags.join(", ") || NONE },
];
const SEGMENT_COLUMNS = [
  { label: "Segment", cell: (s) => s.native_segment_id ?? NONE },
  { label: "Phases", cell: (s) => s.phases ?? NONE },
  { label: "Voltage", numeric: true, cell: (s) => kv(s.voltage_kv) },
  { label: "Max HC", numeric: true, cell: (s) => mw(s.max_hc_mw) },
  { label: "Min HC", numeric: true, cell: (s) => mw(s.min_hc_mw) },
  { label: "What binds", cell: (s) => (s.binding_limit_mw == null ? s.binding_criterion : `${s.binding_criterion} (${mw(s.binding_limit_mw)})`) },
  { label: "Flags", cell: (s) => s.quality_flags.join(", ") || NONE },
];

export default async function feeder({ root, match, signal }) {
  const base = idPath("/v1/feeders", "feeder", match[1].toLowerCase());
  const [one, ders, segments, history] = await Promise.all([
    getJson(base, {}, signal),
    getJson(`${base}/ders`, { all_pages: true }, signal),
    getJson(`${base}/segments`, { limit: SEGMENTS_SHOWN }, signal),
    // a lake whose history was not recorded yet answers 404: the page shows the rest
    getJson(`${base}/history`, {}, signal).catch((error) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }),
  ]);
  const f = one.data;
  const name = `Feeder ${f.native_feeder_id}`;
  setTitle(`${name}, ${utilityName(f.utility)}`);
  replace(
    root,
    h("p", { class: "crumbs" }, h("a", { href: `#${apiUrl("/feeders", { utility: f.utility })}` }, `${utilityName(f.utility)} feeders`)),
    h("h1", {}, name, h("small", {}, ` ${utilityName(f.utility)}`)),
    h(
      "p",
      { class: "lead" },
      [f.substation_name && `Substation ${f.substation_name}`, f.voltage_kv != null && kv(f.voltage_kv), f.load_zone && `load zone ${f.load_zone}`]
        .filter(Boolean)
        .join(" · ") || "No substation or voltage in the source.",
    ),
    figures(f),
    flags(f.quality_flags),
    h("h2", {}, "History"),
    historySection(history),
    h("h2", {}, "DER on this feeder"),
    derChart(ders.data),
    derTable(ders.data),
    h("h2", {}, "Segments"),
    segmentSection(segments, base),
    h(
      "p",
      { class: "lineage" },
      `From ${f.source_file}, row ${count(f.source_row)} (refresh ${f.run_id}). Hosting capacity analysis of ${date(f.hca_refresh_date)}.`,
    ),
  );
}

function figures(f) {
  const item = (label, value, note = null) => h("div", {}, h("dt", {}, label), h("dd", {}, value, note && h("small", {}, note)));
  const headroom = f.headroom_after_queue_mw;
  return h(
    "dl",
    { class: "figures" },
    item("Max hosting capacity", mw(f.max_hc_mw)),
    item("Min hosting capacity", mw(f.min_hc_mw)),
    item(
      "Headroom after queue",
      h("span", { class: headroom < 0 ? "negative" : null }, mw(headroom)),
      headroom < 0 ? "The queue already exceeds the max HC." : "Max HC minus planned DER.",
    ),
    item(
      "Headroom since study",
      h("span", { class: f.headroom_since_study_mw < 0 ? "negative" : null }, mw(f.headroom_since_study_mw)),
      f.added_since_study_mw == null
        ? "DER added since the study is unknown."
        : `Also less ${mw(f.added_since_study_mw)} connected since the study (${SINCE_SOURCE[f.added_since_study_source]}).`,
    ),
    ...Object.entries(SCENARIOS)
      .filter(([name]) => name !== "all_queued")
      .map(([, s]) => item(`Headroom: ${s.label.toLowerCase()}`, mw(f[s.column]))),
    item("What binds at the best location", f.binding_criterion_at_best, f.binding_limit_at_best_mw != null ? mw(f.binding_limit_at_best_mw) : null),
    item("What binds at the worst location", f.binding_criterion_at_worst, f.binding_limit_at_worst_mw != null ? mw(f.binding_limit_at_worst_mw) : null),
    item(
      "HC study",
      h("span", { class: studyIsStale(f) ? "stale" : null }, date(f.hca_refresh_date)),
      `${studyAge(f)} (as of ${date(f.as_of_date)})`,
    ),
    item("DER data", date(f.der_data_date), f.der_data_age_days == null ? "not published" : `${f.der_data_age_days} days old`),
    item("Installed DER", mw(f.installed_der_mw), counted(f.installed_der_count, "project")),
    item("Planned DER", mw(f.planned_der_mw), counted(f.planned_der_count, "project")),
    item("Connected / queued (utility's figures)", `${mw(f.connected_der_mw)} / ${mw(f.queued_der_mw)}`),
    item("Substation bank capacity", mw(f.bank_capacity_mw)),
    item("Segments", count(f.segment_count)),
  );
}

function flags(list) {
  if (!list.length) return h("p", { class: "flags ok" }, "No data-quality flags on this feeder.");
  return h(
    "section",
    { class: "flags", "aria-label": "Data-quality flags" },
    h("h2", {}, "Data-quality flags"),
    h("ul", {}, list.map((flag) => h("li", {}, h("code", {}, flag), " ", flagText(flag)))),
  );
}

function derChart(ders) {
  if (!ders.length) return h("p", {}, "No DER records name this feeder.");
  const types = [...new Set(ders.map((d) => d.der_type))].sort();
  const mwOf = (type, status) =>
    ders.filter((d) => d.der_type === type && d.status === status).reduce((sum, d) => sum + (d.nameplate_kw ?? 0), 0) / 1000;
  return barChart({
    title: "DER nameplate MW by type and status",
    description: "Installed, planned and withdrawn DER on this feeder, nameplate capacity (MW) per technology.",
    categories: types.map(derType),
    series: STATUSES.map((status) => ({ name: status, className: `s-${status}`, values: types.map((t) => mwOf(t, status)) })),
    format: mw,
  });
}

/** The feeder's DER, sortable by any column with a key (in the browser: a feeder has few). */
function derTable(ders) {
  const holder = h("div", {});
  let sort = { key: "status", descending: false };
  const draw = () =>
    replace(
      holder,
      dataTable({
        caption: `${counted(ders.length, "DER record")} (installed, planned and withdrawn)`,
        columns: DER_COLUMNS,
        rows: sortRows(ders, sort),
        sort,
        onSort: (key) => {
          sort = nextSort(sort, key);
          draw();
          holder.querySelector(`th[aria-sort]:not([aria-sort="none"]) button`)?.focus();
        },
        empty: "No DER records name this feeder.",
      }),
    );
  draw();
  return holder;
}

function segmentSection(segments, base) {
  if (!segments.count) return h("p", {}, "The source publishes this utility's hosting capacity per feeder, not per segment.");
  const csv = apiUrl(`${base}/segments`, { format: "csv", all_pages: true });
  const shown = segments.count > segments.data.length ? `the first ${count(segments.data.length)}` : "all";
  return h(
    "details",
    { class: "segments" },
    h("summary", {}, `${count(segments.count)} segments with their own hosting capacity: show ${shown}`),
    dataTable({ caption: `Segments (${shown} of ${count(segments.count)})`, columns: SEGMENT_COLUMNS, rows: segments.data }),
    h("p", {}, h("a", { href: csv, download: "segments.csv" }, `Download all ${count(segments.count)} segments (CSV)`)),
  );
}

const HISTORY_COLUMNS = [
  { label: "Published", cell: (p) => date(p.published_at?.slice(0, 10)) },
  { label: "Max HC", numeric: true, cell: (p) => mw(p.max_hc_mw) },
  { label: "Min HC", numeric: true, cell: (p) => mw(p.min_hc_mw) },
  { label: "Headroom after queue", numeric: true, cell: (p) => mw(p.headroom_after_queue_mw) },
  { label: "Installed", numeric: true, cell: (p) => `${mw(p.installed_der_mw)} (${count(p.installed_der_count)})` },
  { label: "Planned", numeric: true, cell: (p) => `${mw(p.planned_der_mw)} (${count(p.planned_der_count)})` },
  { label: "HC study", cell: (p) => date(p.hca_refresh_date) },
  { label: "DER data", cell: (p) => date(p.der_data_date) },
];

/** The feeder at every recorded publish: max HC and headroom after the queue as a chart, all values as a table. */
function historySection(history) {
  if (history == null) return h("p", {}, "No history recorded for this feeder yet.");
  const points = history.data.points;
  const labels = points.map((p) => p.published_at?.slice(0, 10) ?? p.snapshot);
  return h(
    "section",
    { class: "history", "aria-label": "History" },
    lineChart({
      title: "Max hosting capacity and headroom after the queue, per publish",
      description: `The feeder's max HC and headroom after the queue (MW) at each of ${counted(points.length, "publish", "publishes")}, oldest first.`,
      labels,
      series: [
        { name: "max HC", className: "s-installed", values: points.map((p) => p.max_hc_mw) },
        { name: "headroom after queue", className: "s-planned", values: points.map((p) => p.headroom_after_queue_mw) },
      ],
      format: mw,
    }),
    dataTable({ caption: `${counted(points.length, "publish", "publishes")}, oldest first`, columns: HISTORY_COLUMNS, rows: points }),
  );
}
