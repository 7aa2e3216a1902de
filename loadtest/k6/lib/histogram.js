// Latency histograms that survive k6's summary and add up across runners. k6 gives
// handleSummary only aggregates (percentiles cannot be merged) and VUs share no memory, so each
// VU counts its latencies in log-linear buckets and, when its connection ends, adds each
// non-empty bucket's count to a k6 Counter: one Counter per doubling, the bucket as its `b` tag.
// k6 reports a tagged slice of a metric only when a threshold names it, so every bucket gets a
// `count>=0` threshold that can never fail. handleSummary reads the buckets back and writes them
// into the result as [value, count] pairs, which perf merge adds exactly.
//
// Buckets: 1 µs wide below 64 µs; above, 32 per doubling (at most 3.1 % wide). A bucket is
// reported as its highest value, as HdrHistogram reports percentiles.

/** Buckets per doubling above the linear region. */
export const SUB_BUCKETS = 32;
const LINEAR = 2 * SUB_BUCKETS;

/**
 * The latencies kept as histograms: k6 Trend name, result field, Counter prefix.
 * @type {ReadonlyArray<{ trend: string, field: string, prefix: string }>}
 */
export const HISTOGRAMS = Object.freeze([
  { trend: 'e2e_seal', field: 'seal_us', prefix: 'perf_hdr_seal_' },
  { trend: 'forward_latency', field: 'forward_us', prefix: 'perf_hdr_fwd_' },
  { trend: 'e2e_open', field: 'open_us', prefix: 'perf_hdr_open_' },
  { trend: 'end_to_end_latency', field: 'end_to_end_us', prefix: 'perf_hdr_e2e_' },
  { trend: 'schedule_lag', field: 'generator_lag_us', prefix: 'perf_hdr_lag_' },
]);

/**
 * Doublings needed to hold `maxUs` (values above it go to the top bucket).
 * @param {number} maxUs
 */
export function doublingsFor(maxUs) {
  let doublings = 1;
  while (doublings < 27 && LINEAR * 2 ** (doublings - 1) <= maxUs) doublings++;
  return doublings;
}

/**
 * The bucket of `us`: [doubling, sub-bucket]. Doubling 0 is the linear region (sub 0..63);
 * doubling d >= 1 covers [32 * 2^d, 64 * 2^d) with sub-buckets 32..63 of width 2^d.
 * @param {number} us
 * @param {number} doublings
 * @returns {[number, number]}
 */
export function bucketOf(us, doublings) {
  const top = LINEAR * 2 ** (doublings - 1) - 1;
  const v = Math.min(top, Math.max(0, Math.floor(us)));
  if (v < LINEAR) return [0, v];
  const d = 31 - Math.clz32(v) - 5;
  return [d, Math.floor(v / 2 ** d)];
}

/**
 * The highest value in bucket [d, s], µs.
 * @param {number} d
 * @param {number} s
 */
export function highestOf(d, s) {
  return d === 0 ? s : (s + 1) * 2 ** d - 1;
}

/** One VU's counts of one latency, flushed into k6 Counters when its connection ends. */
export class LocalHistogram {
  /** @param {number} doublings */
  constructor(doublings) {
    this.doublings = doublings;
    /** @type {number[]} counts by d * 64 + s */
    this.counts = new Array(doublings * LINEAR).fill(0);
  }

  /** @param {number} us */
  record(us) {
    const [d, s] = bucketOf(us, this.doublings);
    this.counts[d * LINEAR + s]++;
  }

  /**
   * Adds every non-empty bucket to its doubling's Counter (tag `b`) and starts again from zero.
   * @param {{ add(value: number, tags?: Record<string, string>): void }[]} counters one per doubling
   */
  flush(counters) {
    for (let i = 0; i < this.counts.length; i++) {
      if (this.counts[i] === 0) continue;
      counters[Math.floor(i / LINEAR)].add(this.counts[i], { b: String(i % LINEAR) });
      this.counts[i] = 0;
    }
  }
}

/**
 * Every (doubling, sub-bucket) that can hold a value, in ascending value order.
 * @param {number} doublings
 * @returns {[number, number][]}
 */
function buckets(doublings) {
  /** @type {[number, number][]} */
  const all = [];
  for (let s = 0; s < LINEAR; s++) all.push([0, s]);
  for (let d = 1; d < doublings; d++) {
    for (let s = SUB_BUCKETS; s < LINEAR; s++) all.push([d, s]);
  }
  return all;
}

/**
 * The Counter name of doubling `d` of a histogram.
 * @param {string} prefix
 * @param {number} d
 */
export function counterName(prefix, d) {
  return `${prefix}${String(d).padStart(2, '0')}`;
}

/**
 * The always-passing thresholds that make k6 report every bucket (a tagged submetric appears in
 * the summary only when a threshold names it).
 * @param {number} doublings
 * @returns {Record<string, string[]>}
 */
export function bucketThresholds(doublings) {
  /** @type {Record<string, string[]>} */
  const thresholds = {};
  for (const { prefix } of HISTOGRAMS) {
    for (const [d, s] of buckets(doublings)) thresholds[`${counterName(prefix, d)}{b:${s}}`] = ['count>=0'];
  }
  return thresholds;
}

/**
 * Whether a summary metric name is one of the histogram transport's (left out of the text summary).
 * @param {string} name
 */
export function isBucketMetric(name) {
  return name.startsWith('perf_hdr_');
}

/**
 * A histogram's [value, count] pairs read back from summary counts.
 * @param {string} prefix
 * @param {number} doublings
 * @param {(name: string) => number} countOf a submetric's count (0 when absent)
 * @returns {[number, number][]}
 */
export function pairsFromSummary(prefix, doublings, countOf) {
  /** @type {[number, number][]} */
  const pairs = [];
  for (const [d, s] of buckets(doublings)) {
    const count = countOf(`${counterName(prefix, d)}{b:${s}}`);
    if (count > 0) pairs.push([highestOf(d, s), count]);
  }
  return pairs;
}

/**
 * count, mean, percentiles and max of [value, count] pairs, as HdrHistogram computes them
 * (a percentile is the highest value of the bucket holding that rank).
 * @param {[number, number][]} pairs ascending
 * @returns {{ count: number, mean: number, p50: number, p90: number, p99: number, p999: number, p9999: number, max: number }}
 */
export function statsOf(pairs) {
  let count = 0;
  let sum = 0;
  for (const [value, n] of pairs) {
    count += n;
    sum += value * n;
  }
  const at = (/** @type {number} */ percentile) => {
    const rank = Math.max(1, Math.floor((percentile / 100) * count + 0.5));
    let seen = 0;
    for (const [value, n] of pairs) {
      seen += n;
      if (seen >= rank) return value;
    }
    return 0;
  };
  return {
    count,
    mean: count ? sum / count : 0,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    p9999: at(99.99),
    max: pairs.length ? pairs[pairs.length - 1][0] : 0,
  };
}
