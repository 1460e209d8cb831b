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

const UTILITIES = {
  central_hudson: "Central Hudson",
  coned: "Con Edison",
  national_grid: "National Grid",
  nyseg_rge: "NYSEG & RG&E",
  orange_rockland: "Orange & Rockland",
};
/** A utility's name for people; an unknown code is shown as it is. */
export const utilityName = (code) => UTILITIES[code] ?? code;

/** A canonical DER type for people: "solar_storage" → "solar + storage"; null → "unknown". */
export const derType = (type) => (type == null ? "unknown" : type.replaceAll("_storage", " + storage").replaceAll("_", " "));

/** Quality flags in plain words (the API documents each). */
const FLAG_TEXT = {
  duplicate_conflict: "Sources disagree about this record; the later file was used.",
  unparsed_value: "A value in the source could not be read and is shown as empty.",
  no_hosting_capacity: "The source gives no hosting capacity for this feeder.",
  invalid_capacity: "The capacities are inconsistent (negative, or minimum above maximum).",
  no_geometry: "The source publishes no map geometry, so the feeder has no location.",
  no_feeder: "The record names no feeder.",
  unknown_feeder: "The record names a feeder that is not in the utility's network data.",
  transmission: "Transmission-level project: not counted in feeder totals.",
  nameplate_mismatch: "The nameplate rating differs from the sum of its technologies.",
};
export const flagText = (flag) => FLAG_TEXT[flag] ?? flag;
