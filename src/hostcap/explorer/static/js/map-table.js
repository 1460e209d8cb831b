// The map as a table, for keyboard and screen-reader users (and anyone who would rather read): the
// feeders the map draws in its current view, their headroom after the queue with its legend band
// in words, and their DER, each feeder a link to its page.

import { h } from "./dom.js";
import { count, counted, mw, utilityName } from "./format.js";
import { bandOf } from "./map.js";
import { dataTable } from "./table.js";

const der = (n, megawatts) => `${count(n)} (${mw(megawatts)})`;

const COLUMNS = [
  { label: "Feeder", cell: (f) => h("a", { href: `#/feeders/${f.feeder_id}` }, f.native_feeder_id) },
  { label: "Utility", cell: (f) => utilityName(f.utility) },
  {
    label: "Headroom after queue",
    numeric: true,
    cell: (f) => h("span", { class: f.headroom_after_queue_mw < 0 ? "negative" : null }, mw(f.headroom_after_queue_mw)),
  },
  { label: "Map colour (MW band)", cell: (f) => bandOf(f.headroom_after_queue_mw).label },
  { label: "Installed DER", numeric: true, cell: (f) => der(f.installed_der_count, f.installed_der_mw) },
  { label: "Planned DER", numeric: true, cell: (f) => der(f.planned_der_count, f.planned_der_mw) },
];

/** The table of `feeders` (the rows' properties, in the map's order). */
export function mapTable(feeders) {
  return dataTable({
    caption: `The map as a table: the ${counted(feeders.length, "feeder")} it draws in its current view`,
    columns: COLUMNS,
    rows: feeders,
    empty: "The map draws no feeder in this view.",
  });
}
