// Tables whose sortable headers are buttons (keyboard operable) and say their order (aria-sort).

import { h } from "./dom.js";

/**
 * dataTable({caption, columns, rows, sort, onSort, empty})
 *   columns: [{label, cell: row => text or node, numeric?, sortKey?}]
 *   sort: {key, descending} — the order the rows are in; onSort(key) is called by a header button.
 * Returns a scrollable region holding the table (wide tables scroll sideways on a phone).
 */
export function dataTable({ caption, columns, rows, sort = null, onSort = null, empty = "Nothing to show." }) {
  const head = h("tr", {}, columns.map((column) => headerCell(column, sort, onSort)));
  const body = rows.length
    ? rows.map((row) => h("tr", {}, columns.map((c) => h("td", { class: c.numeric ? "num" : null }, c.cell(row)))))
    : h("tr", {}, h("td", { colspan: columns.length, class: "empty" }, empty));
  const table = h("table", {}, h("caption", {}, caption), h("thead", {}, head), h("tbody", {}, body));
  return h("div", { class: "table-wrap", role: "region", "aria-label": caption, tabindex: 0 }, table);
}

function headerCell(column, sort, onSort) {
  const attrs = { scope: "col", class: column.numeric ? "num" : null };
  if (!column.sortKey || !onSort) return h("th", attrs, column.label);
  const active = sort?.key === column.sortKey;
  const order = active ? (sort.descending ? "descending" : "ascending") : "none";
  const arrow = active ? (sort.descending ? "▼" : "▲") : "↕";
  return h(
    "th",
    { ...attrs, "aria-sort": order },
    h(
      "button",
      { type: "button", class: "sort", onclick: () => onSort(column.sortKey) },
      column.label,
      h("span", { class: "arrow", "aria-hidden": "true" }, arrow),
    ),
  );
}

/** The order after clicking `key`'s header: the other direction if it is the current key, else descending. */
export function nextSort(sort, key) {
  return { key, descending: sort?.key === key ? !sort.descending : true };
}

/** Rows sorted by `row[key]` (numbers or text), empty values last either way; ties keep their order. */
export function sortRows(rows, { key, descending }) {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x == null || y == null) return (x == null) - (y == null);
    return sign * (typeof x === "number" ? x - y : String(x).localeCompare(String(y)));
  });
}
