// How old a feeder's hosting-capacity study may be before the explorer warns, in months: 12 by
// default, changed in the feeder finder and kept in this browser (localStorage).

const KEY = "hostcap.hcaWarnMonths";
export const DEFAULT_WARN_MONTHS = 12;

export function warnMonths() {
  const stored = Number(localStorage.getItem(KEY));
  return Number.isFinite(stored) && stored > 0 ? stored : DEFAULT_WARN_MONTHS;
}

export function setWarnMonths(months) {
  if (Number.isFinite(months) && months > 0) localStorage.setItem(KEY, String(months));
  else localStorage.removeItem(KEY);
}

/** True when the feeder's HC study is older than the warning age (its age is as of the snapshot). */
export function studyIsStale(feeder) {
  return feeder.hca_age_days != null && feeder.hca_age_days > (warnMonths() * 365.25) / 12;
}

/** "412 days old" with a warning when stale. */
export function studyAge(feeder) {
  if (feeder.hca_age_days == null) return "age unknown";
  const text = `${feeder.hca_age_days} days old`;
  return studyIsStale(feeder) ? `⚠ ${text}: older than ${warnMonths()} months` : text;
}

export const SCENARIOS = {
  all_queued: { label: "Every queued project built", column: "headroom_after_queue_mw" },
  past_milestone: { label: "Only projects past a study or agreement milestone", column: "headroom_past_milestone_mw" },
  without_stale: { label: "Stale queue entries dropped", column: "headroom_without_stale_mw" },
};
