// The data k6 hands handleSummary (its default, legacy shape: internal/js/summary.go), built from
// the recorded samples: every metric with samples and every metric or submetric a threshold names,
// Trends reduced to the requested summaryTrendStats only, Counters to count and rate, Gauges to
// value, min and max, Rates to rate, passes and fails, each threshold with its verdict.
import { percentileOf, samplesOf } from './thresholds.js';

/**
 * @param {Map<string, import('./thresholds.js').RecordedMetric>} recorded
 * @param {import('./thresholds.js').MetricThresholds[]} thresholds after the final evaluation
 * @param {{ trendStats: string[], durationMs: number, noColor: boolean, isStdOutTTY: boolean, setupData: unknown }} run
 */
export function summaryData(recorded, thresholds, run) {
  /** @type {Record<string, { type: string, contains: string, values: Record<string, number>, thresholds?: Record<string, { ok: boolean }> }>} */
  const metrics = {};
  const add = (/** @type {string} */ name, /** @type {import('./thresholds.js').RecordedMetric} */ metric, /** @type {import('./thresholds.js').Sample[]} */ samples) => {
    metrics[name] = { type: metric.type, contains: metric.type === 'trend' ? 'time' : 'default', values: valuesOf(metric.type, samples, run) };
  };
  for (const [name, metric] of recorded) {
    if (metric.samples.length > 0) add(name, metric, metric.samples);
  }
  for (const entry of thresholds) {
    const metric = /** @type {import('./thresholds.js').RecordedMetric} */ (recorded.get(entry.metric));
    if (!metrics[entry.name]) add(entry.name, metric, samplesOf(entry, recorded));
    metrics[entry.name].thresholds = Object.fromEntries(entry.thresholds.map((t) => [t.source, { ok: t.ok }]));
  }
  return {
    root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: [] },
    options: { summaryTrendStats: run.trendStats, summaryTimeUnit: '', noColor: run.noColor },
    state: { isStdOutTTY: run.isStdOutTTY, isStdErrTTY: false, testRunDurationMs: run.durationMs },
    metrics,
    setup_data: run.setupData,
  };
}

/**
 * @param {'counter' | 'gauge' | 'rate' | 'trend'} type
 * @param {import('./thresholds.js').Sample[]} samples
 * @param {{ trendStats: string[], durationMs: number }} run
 * @returns {Record<string, number>}
 */
function valuesOf(type, samples, run) {
  const values = samples.map((s) => s.value);
  switch (type) {
    case 'counter': {
      const count = values.reduce((a, b) => a + b, 0);
      return { count, rate: run.durationMs > 0 ? count / (run.durationMs / 1000) : 0 };
    }
    case 'gauge':
      return values.length ? { value: values[values.length - 1], min: Math.min(...values), max: Math.max(...values) } : { value: 0, min: 0, max: 0 };
    case 'rate': {
      const passes = values.filter((v) => v !== 0).length;
      return { rate: values.length ? passes / values.length : 0, passes, fails: values.length - passes };
    }
    default: {
      const sorted = [...values].sort((a, b) => a - b);
      /** @type {Record<string, number>} */
      const out = {};
      for (const stat of run.trendStats) {
        if (stat === 'count') out.count = sorted.length;
        else if (stat === 'avg') out.avg = sorted.length ? values.reduce((a, b) => a + b, 0) / sorted.length : 0;
        else if (stat === 'min') out.min = sorted[0] ?? 0;
        else if (stat === 'max') out.max = sorted[sorted.length - 1] ?? 0;
        else if (stat === 'med') out.med = percentileOf(sorted, 50);
        else if (/^p\(\d+(\.\d+)?\)$/.test(stat)) out[stat] = percentileOf(sorted, Number(stat.slice(2, -1)));
      }
      return out;
    }
  }
}
