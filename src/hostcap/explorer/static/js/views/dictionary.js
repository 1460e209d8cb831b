// Data dictionary: every table and field, the quality flags, and each utility's sources
// (`/v1/dictionary`, generated from the registry of gold tables and the source configs).

import { getJson } from "../api.js";
import { h, replace, setTitle } from "../dom.js";
import { NONE, date } from "../format.js";

const ORIGIN = { utility: "published by the utility", hostcap: "derived by hostcap" };

export default async function dictionary({ root, signal }) {
  setTitle("Data dictionary");
  const found = await getJson("/v1/dictionary", {}, signal);
  replace(
    root,
    h("h1", {}, "Data dictionary"),
    h("p", { class: "lead" }, "Every table and field the API serves and the release bundles hold, and where the data comes from."),
    found.tables.map(tableSection),
    h("h2", { id: "quality-flags" }, "Quality flags"),
    h("dl", { class: "flags" }, Object.entries(found.quality_flags).map(([flag, meaning]) => [h("dt", {}, h("code", {}, flag)), h("dd", {}, meaning)])),
    h("h2", {}, "Utilities and their sources"),
    found.utilities.map(utilitySection),
  );
}

function tableSection(table) {
  return h(
    "section",
    { "aria-labelledby": `table-${table.name}`, dataset: { table: table.name } },
    h("h2", { id: `table-${table.name}` }, `${table.title} (`, h("code", {}, table.name), ")"),
    h("p", {}, table.description, " Key: ", h("code", {}, table.key), "."),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, ["Field", "Type", "Unit", "Origin", "Description"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, table.fields.map(fieldRow)),
      ),
    ),
  );
}

function fieldRow(field) {
  const values = field.values && Object.entries(field.values);
  return h(
    "tr",
    { dataset: { field: field.name } },
    h("th", { scope: "row" }, h("code", {}, field.name)),
    h("td", {}, field.type),
    h("td", {}, field.unit ?? NONE),
    h("td", {}, ORIGIN[field.origin], field.source ? [" (", field.source, ")"] : null),
    h(
      "td",
      {},
      field.description,
      field.stored ? null : " Added when served; not stored in gold.",
      values ? h("ul", {}, values.map(([value, meaning]) => h("li", {}, h("code", {}, value), `: ${meaning}`))) : null,
    ),
  );
}

function utilitySection(utility) {
  return h(
    "section",
    { dataset: { utility: utility.utility } },
    h("h3", {}, utility.display_name, " (", h("code", {}, utility.utility), ")"),
    h(
      "ul",
      {},
      utility.sources.map((s) =>
        h(
          "li",
          { dataset: { source: s.source } },
          h("code", {}, s.source),
          `: ${s.description}`,
          s.publisher ? ` Published by ${s.publisher}.` : null,
          s.upstream ? ` Fetched from ${s.upstream.url ?? s.upstream.kind}.` : null,
          asOf(s.as_of),
        ),
      ),
    ),
  );
}

/** "Data dated 2025-06-30 – 2026-03-31" from a source's newest and oldest dates. */
function asOf(dates) {
  const found = Object.entries(dates).filter(([, value]) => value != null);
  if (!found.length) return " No published rows.";
  const values = found.map(([, value]) => value).sort();
  return ` Data dated ${date(values[0])} – ${date(values.at(-1))}.`;
}
