// Numbers with their units, dates and labels, in the reader's locale (Intl).

const decimals = (digits) => new Intl.NumberFormat(undefined, { maximumFractionDigits: digits });
const MW = decimals(2);
const KW = decimals(1);
const COUNT = decimals(0);
const SECONDS = decimals(1);
const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const NBSP = "\u00a0";
export const NONE = "—";

export const mw = (value) => (value == null ? NONE : `${MW.format(value)}${NBSP}MW`);
export const kw = (value) => (value == null ? NONE : `${KW.format(value)}${NBSP}kW`);
export const kv = (value) => (value == null ? NONE : `${KW.format(value)}${NBSP}kV`);
export const count = (value) => (value == null ? NONE : COUNT.format(value));
/** "1 feeder", "12 feeders" (`plural` for words that do not just take an s). */
export const counted = (value, singular, plural = `${singular}s`) => `${count(value)} ${value === 1 ? singular : plural}`;
export const seconds = (value) => (value == null ? NONE : `${SECONDS.format(value)}${NBSP}s`);
/** An ISO date (YYYY-MM-DD) as is: unambiguous in every locale. */
export const date = (value) => value ?? NONE;
/** An ISO timestamp in UTC, e.g. "Nov 29, 2026, 7:32 AM UTC". */
export const when = (value) => (value == null ? NONE : `${WHEN.format(new Date(value))} UTC`);
/** "2025-06-30 – 2026-03-31", or one date when both are the same. */
export const dateRange = (first, last) => (first === last ? date(first) : `${date(first)} – ${date(last)}`);

// Names for people, from the source configs and the registry, loaded once before the first view;
// until then, and for anything unknown, codes are shown as they are.
const labels = { utilities: {}, flags: {} };
/**
 * Take the quality flags' meanings and the configured utilities' names from the data dictionary
 * (`/v1/dictionary`), and the names the served snapshot was built with from `/v1/utilities`.
 */
export function useLabels(dictionary, utilities) {
  const named = (list) => list.map((u) => [u.utility, u.display_name]);
  labels.utilities = Object.fromEntries([...named(dictionary.utilities), ...named(utilities.data)]);
  labels.flags = dictionary.quality_flags;
}
/** A utility's name for people; an unknown code is shown as it is. */
export const utilityName = (code) => labels.utilities[code] ?? code;

/** A canonical DER type for people: "solar_storage" → "solar + storage"; null → "unknown". */
export const derType = (type) => (type == null ? "unknown" : type.replaceAll("_storage", " + storage").replaceAll("_", " "));

/** A quality flag in plain words (its meaning in the data dictionary). */
export const flagText = (flag) => labels.flags[flag] ?? flag;
