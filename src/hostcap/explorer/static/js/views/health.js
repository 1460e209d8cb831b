// Data health: recent refreshes, one run's report per source and layer (rows quarantined and
// excluded, with reasons; checks), and what changed since the previous snapshot.

import { apiUrl, getJson, idPath } from "../api.js";
import { h, replace, setTitle, uid } from "../dom.js";
import { count, counted, mw, NONE, seconds, utilityName, when } from "../format.js";
import { dataTable } from "../table.js";

const CHANGES = {
  feeders_added: "Feeders added",
  feeders_removed: "Feeders removed",
  max_hc_changes: "Max HC changed",
  ders_now_installed: "DER planned → installed",
  ders_new: "DER new",
  ders_withdrawn: "DER withdrawn",
  ders_removed: "DER removed",
};
const ITEMS_SHOWN = 50;

export default async function health({ root, params, signal }) {
  setTitle("Data health");
  const [runs, snapshots] = await Promise.all([getJson("/v1/refreshes", {}, signal), getJson("/v1/snapshots", {}, signal)]);
  const run = params.get("run") ?? runs.data.find((r) => r.status !== "running")?.run_id;
  const older = snapshots.data.slice(snapshots.data.findIndex((s) => s.served) + 1);
  const since = params.get("since") ?? older[0]?.snapshot;
  const served = snapshots.data.find((s) => s.served)?.snapshot;
  const [detail, changes] = await Promise.all([
    run ? getJson(idPath("/v1/refreshes", "run", run), {}, signal) : null,
    since ? getJson("/v1/changes", { since, limit: ITEMS_SHOWN }, signal) : null,
  ]);
  replace(
    root,
    h("h1", {}, "Data health"),
    served && bundleLink(served),
    h("h2", {}, "Recent refreshes"),
    runsTable(runs.data, run, since, served),
    detail && report(detail),
    h("h2", {}, "What changed since the previous snapshot"),
    changesSection(changes, older, since, run),
  );
}


// the served snapshot's release bundle: every table as Parquet, CSV and DuckDB, with its data package
function bundleLink(snapshot) {
  const href = `${idPath("/v1/snapshots", "run", snapshot)}/bundle`;
  return h("p", {}, h("a", { class: "button", href, download: `hostcap-${snapshot}.zip` }, `Download the whole data set (snapshot ${snapshot}, zip)`));
}

function runsTable(runs, chosen, since, served) {
  return dataTable({
    caption: `${counted(runs.length, "refresh run")}, newest first`,
    columns: [
      {
        label: "Run",
        cell: (r) =>
          h("a", { href: `#${apiUrl("/health", { run: r.run_id, since })}`, "aria-current": r.run_id === chosen ? "true" : null }, r.run_id),
      },
      { label: "Trigger", cell: (r) => r.trigger ?? NONE },
      { label: "Status", cell: (r) => h("span", { class: `badge ${r.status}` }, r.status) },
      { label: "Started", cell: (r) => when(r.started_at) },
      { label: "Duration", numeric: true, cell: (r) => seconds(r.duration_s) },
      { label: "Published", cell: (r) => (r.run_id === served ? "yes, served now" : r.published ? "yes" : "no") },
      { label: "Gold rows", cell: (r) => (r.gold ? `${count(r.gold.feeders)} feeders, ${count(r.gold.ders)} DER` : NONE) },
    ],
    rows: runs,
    empty: "No refresh has run yet.",
  });
}

function report({ data, report }) {
  const headingId = uid("run");
  const section = h("section", { class: "report", "aria-labelledby": headingId });
  const heading = h("h2", { id: headingId }, `Run ${data.run_id}`);
  if (!report) return replace(section, heading, h("p", {}, `Status ${data.status}; no report yet.`));
  // a layer's rows, with its status when it is not the usual "succeeded"
  const layer = (name) => (s) => {
    const found = s.layers[name];
    if (!found) return NONE;
    return [count(found.rows), found.status === "succeeded" ? null : h("span", { class: `badge ${found.status}` }, found.status)];
  };
  const setAside = report.sources.flatMap((s) => [
    ...Object.entries(s.quarantine_reasons).map(([reason, rows]) => ({ source: s.source, kind: "quarantined", reason, rows })),
    ...Object.entries(s.exclusion_rules).map(([reason, rows]) => ({ source: s.source, kind: "excluded", reason, rows })),
  ]);
  const failedChecks = report.checks.filter((c) => !c.passed);
  const drift = report.sources.filter((s) => s.unmapped_columns.length);
  return replace(
    section,
    heading,
    h(
      "p",
      {},
      h("span", { class: `badge ${report.status}` }, report.status),
      ` ${report.trigger} refresh on ${report.engine}, ${when(report.started_at)}, ${seconds(report.duration_s)}; `,
      report.published ? "published." : "not published.",
      report.error && h("span", { class: "error" }, ` ${report.error}`),
    ),
    dataTable({
      caption: "Per source and layer (a layer's status is shown when it did not succeed)",
      columns: [
        { label: "Source", cell: (s) => s.source },
        { label: "Status", cell: (s) => h("span", { class: `badge ${s.status}` }, s.status) },
        { label: "Bronze rows", numeric: true, cell: layer("bronze") },
        { label: "Silver rows", numeric: true, cell: layer("silver") },
        { label: "Quarantined", numeric: true, cell: (s) => count(s.quarantined) },
        { label: "Excluded", numeric: true, cell: (s) => count(s.excluded) },
        { label: "Unparsed", numeric: true, cell: (s) => count(s.unparsed_rows) },
        { label: "Time", numeric: true, cell: (s) => seconds(s.duration_s) },
        { label: "Error", cell: (s) => s.error ?? NONE },
      ],
      rows: report.sources,
    }),
    dataTable({
      caption: "Rows quarantined and excluded, with reasons",
      columns: [
        { label: "Source", cell: (r) => r.source },
        { label: "Set aside", cell: (r) => r.kind },
        { label: "Reason or rule", cell: (r) => r.reason },
        { label: "Rows", numeric: true, cell: (r) => count(r.rows) },
      ],
      rows: setAside,
      empty: "No rows were quarantined or excluded.",
    }),
    h(
      "p",
      { class: failedChecks.length ? "error" : "ok" },
      `${count(report.checks.length - failedChecks.length)} of ${count(report.checks.length)} checks passed.`,
    ),
    h(
      "details",
      { open: failedChecks.length > 0 },
      h("summary", {}, "Checks"),
      h("ul", { class: "checks" }, report.checks.map((c) => h("li", { class: c.passed ? "ok" : "error" }, `${c.passed ? "✓" : "✗"} ${c.name}: ${c.detail}`))),
    ),
    drift.length === 0
      ? null
      : h(
        "details",
        {},
        h("summary", {}, `Columns no config reads (schema drift): ${counted(drift.length, "source")}`),
        h("ul", {}, drift.map((s) => h("li", {}, `${s.source}: ${s.unmapped_columns.join(", ")}`))),
      ),
  );
}

function changesSection(changes, older, since, run) {
  if (!older.length) return h("p", {}, "The served snapshot is the only one kept: there is nothing to compare it with yet.");
  const selectId = uid("since");
  const select = h(
    "select",
    { id: selectId, onchange: () => (location.hash = apiUrl("/health", { run, since: select.value })) },
    older.map((s) => h("option", { value: s.snapshot, selected: s.snapshot === since }, `${s.snapshot} (${when(s.published_at)})`)),
  );
  const lists = Object.entries(CHANGES).map(([key, label]) => {
    const items = changes[key]; // the first page: up to ITEMS_SHOWN of each kind
    const total = changes.counts[key];
    if (!total) return null;
    return h(
      "details",
      {},
      h("summary", {}, `${label}: ${count(total)}`),
      h("ul", { class: "changes" }, items.map((item) => h("li", {}, change(key, item)))),
      total > items.length ? h("p", {}, `… and ${count(total - items.length)} more (see GET /v1/changes).`) : null,
    );
  });
  return [
    h("p", { class: "control" }, h("label", { for: selectId }, "Compare the served snapshot with "), select),
    dataTable({
      caption: `Changes from ${changes.old} to ${changes.new}`,
      columns: [
        { label: "Change", cell: ([key]) => CHANGES[key] },
        { label: "Count", numeric: true, cell: ([, n]) => count(n) },
      ],
      rows: Object.entries(changes.counts),
    }),
    lists,
  ];
}

function change(key, item) {
  const where = utilityName(item.utility);
  if (key.startsWith("feeders_") || key === "max_hc_changes") {
    const name = key === "feeders_removed" ? item.native_feeder_id : h("a", { href: `#/feeders/${item.feeder_id}` }, item.native_feeder_id);
    const values = key === "max_hc_changes" ? `: ${mw(item.old_max_hc_mw)} → ${mw(item.new_max_hc_mw)}` : "";
    return [name, ` (${where})${values}`];
  }
  return `${item.native_der_id} (${where}), ${item.status}`;
}
