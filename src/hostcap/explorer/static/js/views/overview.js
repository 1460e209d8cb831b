// Overview: one card per utility, then the charts (max HC distribution, DER MW by type).

import { apiUrl, getJson } from "../api.js";
import { barChart } from "../charts.js";
import { h, replace, setTitle, uid } from "../dom.js";
import { count, counted, dateRange, date, derType, mw, utilityName, when } from "../format.js";

const STATUS_TEXT = { succeeded: "Loaded", stale: "Stale: last good data served", failed: "Failed: data missing" };

export default async function overview({ root, signal }) {
  setTitle("Overview");
  const [utilities, distribution, derMw] = await Promise.all(
    ["/v1/utilities", "/v1/stats/feeder-max-hc", "/v1/stats/der-mw"].map((path) => getJson(path, {}, signal)),
  );
  replace(
    root,
    h("h1", {}, "Overview"),
    h("p", { class: "lead" }, `${count(utilities.count)} utilities. Figures leave out transmission-level DER.`),
    h("section", { "aria-label": "Utilities" }, h("ul", { class: "cards" }, utilities.data.map(card))),
    h("h2", {}, "Feeders by maximum hosting capacity"),
    h(
      "p",
      { class: "hint" },
      "How many feeders can take a project of a given size at their best location (feeders without a value are left out).",
    ),
    h("div", { class: "chart-grid" }, utilities.data.map((u) => histogram(u.utility, distribution.data))),
    h("h2", {}, "Installed and planned DER by type"),
    derSection(utilities.data, derMw.data),
  );
}

function card(u) {
  const figure = (label, field, ...value) => [h("dt", {}, label), h("dd", { dataset: { field } }, value)];
  const status = u.last_refresh_status;
  return h(
    "li",
    { class: "card", dataset: { utility: u.utility } },
    h("h2", {}, utilityName(u.utility)),
    h(
      "dl",
      {},
      figure("Feeders", "feeder_count", count(u.feeder_count)),
      figure("Max HC above 1 MW", "feeders_max_hc_above_1_mw", count(u.feeders_max_hc_above_1_mw)),
      figure("Max HC above 5 MW", "feeders_max_hc_above_5_mw", count(u.feeders_max_hc_above_5_mw)),
      figure("Installed DER", "installed_der_mw", `${mw(u.installed_der_mw)} · ${counted(u.installed_der_count, "project")}`),
      figure("Planned DER", "planned_der_mw", `${mw(u.planned_der_mw)} · ${counted(u.planned_der_count, "project")}`),
      figure("HC analysis as of", "hca_refresh_date", dateRange(u.hca_refresh_date_min, u.hca_refresh_date_max)),
      figure("DER data as of", "der_latest_date", date(u.der_latest_date)),
      figure(
        "Last refresh",
        "last_refresh_status",
        h("span", { class: `badge ${status ?? "unknown"}` }, STATUS_TEXT[status] ?? "No source"),
        h("span", { class: "when" }, when(u.last_refresh_at)),
      ),
    ),
    h("a", { class: "more", href: `#${apiUrl("/feeders", { utility: u.utility })}` }, `Browse ${utilityName(u.utility)} feeders`),
  );
}

function binLabel({ bin_min_mw: low, bin_max_mw: high }) {
  if (low == null) return `under ${mw(high)}`;
  if (high == null) return `${mw(low)} and above`;
  return `${count(low)}–${mw(high)}`;
}

function histogram(utility, bins) {
  const own = bins.filter((b) => b.utility === utility);
  return barChart({
    title: utilityName(utility),
    description: `Number of ${utilityName(utility)} feeders per range of maximum hosting capacity.`,
    categories: own.map(binLabel),
    series: [{ name: "feeders", className: "s-feeders", values: own.map((b) => b.feeder_count) }],
    format: (value) => counted(value, "feeder"),
  });
}

/** The DER chart, statewide or for the utility chosen in its own select. */
function derSection(utilities, rows) {
  const holder = h("div", {});
  const selectId = uid("der-utility");
  const select = h(
    "select",
    { id: selectId, onchange: () => draw(select.value) },
    h("option", { value: "" }, "All utilities"),
    utilities.map((u) => h("option", { value: u.utility }, utilityName(u.utility))),
  );
  const draw = (utility) => {
    const chosen = rows.filter((r) => !utility || r.utility === utility);
    const types = [...new Set(chosen.map((r) => r.der_type))].sort((a, b) => total(chosen, b) - total(chosen, a));
    const values = (status) => types.map((t) => sum(chosen.filter((r) => r.der_type === t && r.status === status)));
    const where = utility ? utilityName(utility) : "all utilities";
    replace(
      holder,
      barChart({
        title: `DER nameplate MW by type, ${where}`,
        description: `Installed and planned DER nameplate capacity (MW) per technology, ${where}.`,
        categories: types.map(derType),
        series: [
          { name: "installed", className: "s-installed", values: values("installed") },
          { name: "planned", className: "s-planned", values: values("planned") },
        ],
        format: mw,
      }),
    );
  };
  draw("");
  return h("section", { class: "der-mw" }, h("p", { class: "control" }, h("label", { for: selectId }, "Utility "), select), holder);
}

const sum = (rows) => rows.reduce((total, r) => total + r.nameplate_mw, 0);
const total = (rows, type) => sum(rows.filter((r) => r.der_type === type && r.status !== "withdrawn"));
