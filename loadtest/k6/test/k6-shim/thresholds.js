// k6's thresholds, as k6 v2 evaluates them (metrics/thresholds.go, thresholds_parser.go,
// internal/metrics/engine): `aggregation operator value`, the operator found by scanning for
// `<=`, `<`, `>=`, `>`, `===`, `==`, `!=` in that order; count/rate on Counters, value on Gauges,
// rate on Rates, avg/min/med/max/p(N) on Trends (p: linear interpolation between sorted samples);
// a submetric `name{tag:value}` sees only samples carrying those tags. While the test runs, metrics
// without samples are skipped; at the end they are evaluated too (a Counter then counts 0, a Trend
// reads 0, a Rate has no value and passes). abortOnFail stops the test once its delayAbortEval
// has passed. Any failed threshold at the end makes k6 exit 99; a threshold on a metric that does
// not exist, or an aggregation its type lacks, is invalid configuration: exit 104.

/** k6's exit codes this runner produces (errext/exitcodes). */
export const ExitCode = Object.freeze({ OK: 0, THRESHOLDS_FAILED: 99, INVALID_CONFIG: 104, SCRIPT_EXCEPTION: 107, SCRIPT_ABORTED: 108 });

const OPERATORS = ['<=', '<', '>=', '>', '===', '==', '!='];
const METHODS = { counter: ['count', 'rate'], gauge: ['value'], rate: ['rate'], trend: ['avg', 'min', 'med', 'max', 'p'] };

/** A threshold definition k6 cannot run: exit 104. */
export class InvalidThreshold extends Error {}

/**
 * @typedef {{ value: number, tags: Record<string, string> }} Sample
 * @typedef {{ type: 'counter' | 'gauge' | 'rate' | 'trend', samples: Sample[] }} RecordedMetric
 * @typedef {{ source: string, method: string, percentile: number, operator: string, value: number, abortOnFail: boolean, delayAbortEvalMs: number, ok: boolean }} Threshold
 * @typedef {{ name: string, metric: string, tags: Record<string, string>, thresholds: Threshold[] }} MetricThresholds
 */

/**
 * Parses one expression, e.g. `p(99.9) < 200`.
 * @param {string} source
 */
export function parseExpression(source) {
  let method = '';
  let operator = '';
  let right = '';
  for (const op of OPERATORS) {
    const at = source.indexOf(op);
    if (at >= 0 && source.slice(at + op.length) !== '') {
      [method, operator, right] = [source.slice(0, at).trim(), op, source.slice(at + op.length).trim()];
      break;
    }
  }
  if (!operator) throw new InvalidThreshold(`failed parsing threshold expression "${source}": malformed threshold expression`);
  let percentile = NaN;
  if (method.startsWith('p(') && method.endsWith(')')) {
    percentile = Number(method.slice(2, -1));
    if (!(percentile >= 0 && percentile <= 100) || method.slice(2, -1).trim() === '') throw new InvalidThreshold(`threshold "${source}": malformed percentile value, provide a number between 0 and 100`);
    method = 'p';
  } else if (!['value', 'count', 'rate', 'avg', 'min', 'med', 'max'].includes(method)) {
    throw new InvalidThreshold(`threshold "${source}": failed parsing method from expression`);
  }
  const value = Number(right);
  if (right === '' || !Number.isFinite(value)) throw new InvalidThreshold(`threshold "${source}": right hand side is not a number`);
  return { method, percentile, operator, value };
}

/**
 * Parses `name` or `name{tag:value,tag2:value2}`.
 * @param {string} key
 */
export function parseMetricName(key) {
  const brace = key.indexOf('{');
  if (brace < 0) return { metric: key, tags: {} };
  if (!key.endsWith('}')) throw new InvalidThreshold(`"${key}": a submetric's tags end with }`);
  /** @type {Record<string, string>} */
  const tags = {};
  for (const pair of key.slice(brace + 1, -1).split(',')) {
    const colon = pair.indexOf(':');
    if (colon <= 0) throw new InvalidThreshold(`"${key}": tags are name:value`);
    tags[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { metric: key.slice(0, brace), tags };
}

/**
 * The options' thresholds, checked against the metrics the script declared, as k6 does before it starts.
 * @param {Record<string, (string | { threshold: string, abortOnFail?: boolean, delayAbortEval?: string })[]>} definitions
 * @param {Map<string, RecordedMetric>} declared
 * @returns {MetricThresholds[]}
 */
export function prepareThresholds(definitions, declared) {
  return Object.entries(definitions).map(([name, list]) => {
    const { metric, tags } = parseMetricName(name);
    const recorded = declared.get(metric);
    if (!recorded) throw new InvalidThreshold(`invalid threshold defined on ${name}; reason: no metric name "${metric}" found`);
    const thresholds = list.map((definition) => {
      const config = typeof definition === 'string' ? { threshold: definition } : definition;
      const parsed = parseExpression(config.threshold);
      if (!METHODS[recorded.type].includes(parsed.method)) {
        throw new InvalidThreshold(`invalid threshold "${config.threshold}" applied on metric ${name}; reason: unsupported aggregation method ${parsed.method} on metric of type ${recorded.type}`);
      }
      return { source: config.threshold, ...parsed, abortOnFail: config.abortOnFail === true, delayAbortEvalMs: durationMs(config.delayAbortEval), ok: true };
    });
    return { name, metric, tags, thresholds };
  });
}

/** @param {string | undefined} text k6 duration: 10s, 1m30s, 500ms */
function durationMs(text) {
  if (!text) return -1;
  let total = 0;
  const units = /** @type {Record<string, number>} */ ({ ms: 1, s: 1000, m: 60000, h: 3600000 });
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(n) * units[unit];
  return total;
}

/**
 * The samples of a metric or submetric.
 * @param {MetricThresholds} entry
 * @param {Map<string, RecordedMetric>} recorded
 */
export function samplesOf(entry, recorded) {
  const metric = /** @type {RecordedMetric} */ (recorded.get(entry.metric));
  const wanted = Object.entries(entry.tags);
  return wanted.length === 0 ? metric.samples : metric.samples.filter((s) => wanted.every(([k, v]) => s.tags[k] === v));
}

/**
 * What a sink reports for each aggregation, as k6's Thresholds.Run builds it.
 * @param {'counter' | 'gauge' | 'rate' | 'trend'} type
 * @param {Sample[]} samples
 * @param {number} durationMs the test run's duration so far
 * @param {number[]} percentiles the p(N) the thresholds ask for
 * @returns {Record<string, number>}
 */
export function sinkValues(type, samples, durationMs, percentiles) {
  const values = samples.map((s) => s.value);
  switch (type) {
    case 'counter': {
      const count = values.reduce((a, b) => a + b, 0);
      return durationMs > 0 ? { count, rate: count / (durationMs / 1000) } : { count };
    }
    case 'gauge':
      return { value: values.length ? values[values.length - 1] : 0 };
    case 'rate': {
      const trues = values.filter((v) => v !== 0).length;
      return values.length ? { rate: trues / values.length } : {};
    }
    default: {
      const sorted = [...values].sort((a, b) => a - b);
      /** @type {Record<string, number>} */
      const sink = {
        min: sorted.length ? sorted[0] : 0,
        max: sorted.length ? sorted[sorted.length - 1] : 0,
        avg: sorted.length ? values.reduce((a, b) => a + b, 0) / sorted.length : 0,
        med: percentileOf(sorted, 50),
      };
      for (const p of percentiles) sink[`p(${p})`] = percentileOf(sorted, p);
      return sink;
    }
  }
}

/**
 * k6's TrendSink.P: the value at rank pct * (n - 1), interpolated linearly.
 * @param {number[]} sorted
 * @param {number} percentile 0..100
 */
export function percentileOf(sorted, percentile) {
  if (sorted.length === 0) return 0;
  if (sorted.length === 1) return sorted[0];
  const i = (percentile / 100) * (sorted.length - 1);
  const low = sorted[Math.floor(i)];
  const high = sorted[Math.ceil(i)];
  return low + (high - low) * (i - Math.floor(i));
}

/**
 * Evaluates every threshold once. While running (`final` false) a metric without samples is
 * skipped; at the end it is evaluated too. Returns the names of metrics with a failed threshold
 * and whether an abortOnFail threshold asks to stop the test.
 * @param {MetricThresholds[]} entries
 * @param {Map<string, RecordedMetric>} recorded
 * @param {number} elapsedMs
 * @param {boolean} final
 */
export function evaluate(entries, recorded, elapsedMs, final) {
  /** @type {string[]} */
  const breached = [];
  let abort = false;
  for (const entry of entries) {
    const samples = samplesOf(entry, recorded);
    if (!final && samples.length === 0) continue;
    const type = /** @type {RecordedMetric} */ (recorded.get(entry.metric)).type;
    const sink = sinkValues(type, samples, elapsedMs, entry.thresholds.filter((t) => t.method === 'p').map((t) => t.percentile));
    let failed = false;
    for (const t of entry.thresholds) {
      const left = sink[t.method === 'p' ? `p(${t.percentile})` : t.method];
      t.ok = left === undefined || compare(left, t.operator, t.value);
      if (t.ok) continue;
      failed = true;
      if (t.abortOnFail && (t.delayAbortEvalMs < 0 || t.delayAbortEvalMs < elapsedMs)) abort = true;
    }
    if (failed) breached.push(entry.name);
  }
  return { breached: breached.sort(), abort };
}

/**
 * @param {number} left
 * @param {string} operator
 * @param {number} right
 */
function compare(left, operator, right) {
  switch (operator) {
    case '>': return left > right;
    case '>=': return left >= right;
    case '<=': return left <= right;
    case '<': return left < right;
    case '!=': return left !== right;
    default: return left === right;
  }
}
