// k6/metrics stand-in: every sample with its tags (the VU's tags, then the call's), so the runner
// can evaluate thresholds on metrics and submetrics as k6 does and tests can read every tag.

/** @typedef {import('./thresholds.js').RecordedMetric} RecordedMetric */

/** @type {Map<string, RecordedMetric>} */
export const recorded = new Map();

/** Tags k6 puts on every sample of a VU (system tags of the scenario). */
export const vuTags = { scenario: 'messages' };

/** Init context (adding is an error, as in k6) or running; once interrupted, samples are dropped as k6 drops them. */
export const state = { running: false, interrupted: false };

/**
 * Records one sample of a built-in or custom metric.
 * @param {string} name
 * @param {'counter' | 'gauge' | 'rate' | 'trend'} type
 * @param {number} value
 * @param {Record<string, string>} [tags]
 */
export function emit(name, type, value, tags = {}) {
  if (state.interrupted) return;
  let metric = recorded.get(name);
  if (!metric) {
    metric = { type, samples: [] };
    recorded.set(name, metric);
  }
  metric.samples.push({ value, tags: { ...vuTags, ...tags } });
}

class Metric {
  /**
   * @param {string} name
   * @param {'counter' | 'gauge' | 'rate' | 'trend'} type
   */
  constructor(name, type) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/.test(name)) throw new Error(`Invalid metric name: '${name}'`);
    const existing = recorded.get(name);
    if (existing && existing.type !== type) throw new Error(`metric '${name}' already exists but with type ${existing.type}, instead of ${type}`);
    if (!existing) recorded.set(name, { type, samples: [] });
    this.name = name;
    this.type = type;
  }

  /**
   * @param {number | boolean} value
   * @param {Record<string, string>} [tags]
   */
  add(value, tags) {
    if (!state.running) throw new Error('Adding to metrics in the init context is not supported');
    emit(this.name, this.type, Number(value), tags);
  }
}

export class Trend extends Metric {
  /** @param {string} name */
  constructor(name) {
    super(name, 'trend');
  }
}

export class Counter extends Metric {
  /** @param {string} name */
  constructor(name) {
    super(name, 'counter');
  }
}

export class Gauge extends Metric {
  /** @param {string} name */
  constructor(name) {
    super(name, 'gauge');
  }
}

export class Rate extends Metric {
  /** @param {string} name */
  constructor(name) {
    super(name, 'rate');
  }
}
