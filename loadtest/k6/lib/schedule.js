// The open-loop schedule, deterministic from the settings alone: VU v (0-based across the whole
// test) sends message k at startMs + offsetMs + k * intervalMs, whatever happens to earlier
// messages. Which sequence numbers fall in the measured window depends only on the settings and
// v, never on a clock, so a receiver knows exactly which messages a sender owed it (and a runner
// whose setup() started a few ms after another's still agrees on them).

/**
 * @typedef {{ intervalMs: number, offsetMs: number, firstMeasured: number, endMeasured: number }} Schedule
 */

/**
 * The schedule of VU `vuIndex`: its interval, its offset from the common start (so VUs do not
 * all send at once), and the measured sequence numbers [firstMeasured, endMeasured). It sends
 * sequence numbers 0 to endMeasured - 1: warm-up first, nothing after the measured window.
 * @param {{ rate: number, vus: number, warmupS: number, durationS: number }} settings
 * @param {number} vuIndex
 * @returns {Schedule}
 */
export function scheduleOf(settings, vuIndex) {
  const intervalMs = (1000 * settings.vus) / settings.rate;
  const offsetMs = (intervalMs * vuIndex) / settings.vus;
  const warmupMs = settings.warmupS * 1000;
  const endMs = warmupMs + settings.durationS * 1000;
  return { intervalMs, offsetMs, firstMeasured: firstAtOrAfter(intervalMs, offsetMs, warmupMs), endMeasured: firstAtOrAfter(intervalMs, offsetMs, endMs) };
}

/**
 * When message `k` was meant to be sent, relative to the common start.
 * @param {Schedule} schedule
 * @param {number} k
 */
export function intendedOffsetMs(schedule, k) {
  return schedule.offsetMs + k * schedule.intervalMs;
}

/**
 * Whether message `k` is in the measured window.
 * @param {Schedule} schedule
 * @param {number} k
 */
export function isMeasured(schedule, k) {
  return k >= schedule.firstMeasured && k < schedule.endMeasured;
}

// The first k whose intended time is at or after t, by the same arithmetic as intendedOffsetMs
// (a division alone can land one off on a boundary).
/**
 * @param {number} intervalMs
 * @param {number} offsetMs
 * @param {number} t
 */
function firstAtOrAfter(intervalMs, offsetMs, t) {
  let k = Math.max(0, Math.ceil((t - offsetMs) / intervalMs));
  while (k > 0 && offsetMs + (k - 1) * intervalMs >= t) k--;
  while (offsetMs + k * intervalMs < t) k++;
  return k;
}
