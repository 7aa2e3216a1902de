import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSettings } from '../lib/settings.js';
import { ExitCode, InvalidThreshold, evaluate, parseExpression, percentileOf, prepareThresholds } from './k6-shim/thresholds.js';

/** @typedef {import('./k6-shim/thresholds.js').RecordedMetric} RecordedMetric */

/**
 * Recorded metrics from plain values, each sample tagged as given.
 * @param {Record<string, [RecordedMetric['type'], (number | [number, Record<string, string>])[]]>} spec
 */
function metricsOf(spec) {
  /** @type {Map<string, RecordedMetric>} */
  const map = new Map();
  for (const [name, [type, values]] of Object.entries(spec)) {
    map.set(name, { type, samples: values.map((v) => (Array.isArray(v) ? { value: v[0], tags: v[1] } : { value: v, tags: {} })) });
  }
  return map;
}

/**
 * k6's verdict on `definitions` over `recorded` at the end of a run.
 * @param {Record<string, any[]>} definitions
 * @param {Map<string, RecordedMetric>} recorded
 */
function judge(definitions, recorded, elapsedMs = 10000) {
  return evaluate(prepareThresholds(definitions, recorded), recorded, elapsedMs, true).breached;
}

describe('thresholds, evaluated as k6 evaluates them', () => {
  it('finds the operator by k6 scanning order, so <= is not read as <', () => {
    assert.deepEqual(parseExpression('count<=5'), { method: 'count', percentile: NaN, operator: '<=', value: 5 });
    assert.deepEqual(parseExpression(' p(99.9) < 200 '), { method: 'p', percentile: 99.9, operator: '<', value: 200 });
    assert.equal(parseExpression('count===0').operator, '===');
    assert.equal(parseExpression('rate!=1').operator, '!=');
  });

  it('refuses what k6 refuses as invalid configuration (exit 104)', () => {
    const recorded = metricsOf({ lag: ['trend', [1]], sent: ['counter', [1]] });
    for (const bad of ['p(101)<5', 'p()<5', 'mean<5', 'count 5', 'count<five']) {
      assert.throws(() => prepareThresholds({ sent: [bad] }, recorded), InvalidThreshold, bad);
    }
    assert.throws(() => prepareThresholds({ lag: ['count>0'] }, recorded), /unsupported aggregation method count on metric of type trend/);
    assert.throws(() => prepareThresholds({ sent: ['p(99)<1'] }, recorded), /unsupported aggregation method p on metric of type counter/);
    assert.throws(() => prepareThresholds({ missing: ['count==0'] }, recorded), /no metric name "missing" found/);
    assert.equal(ExitCode.INVALID_CONFIG, 104);
  });

  it('interpolates percentiles between sorted samples as k6 TrendSink.P does', () => {
    const sorted = [1, 2, 3, 4, 10];
    assert.equal(percentileOf(sorted, 50), 3);
    assert.ok(Math.abs(percentileOf(sorted, 90) - 7.6) < 1e-12);
    assert.equal(percentileOf([7], 99), 7);
    assert.equal(percentileOf([], 99), 0);
  });

  it('fails a threshold on its aggregation: count and rate of a Counter, percentiles, avg, min, med, max of a Trend', () => {
    const recorded = metricsOf({ lost: ['counter', [1, 0, 0]], lag: ['trend', [1, 2, 3, 4, 100]], checks: ['rate', [1, 1, 0, 1]], vus: ['gauge', [3, 5]] });
    assert.deepEqual(judge({ lost: ['count==0'] }, recorded), ['lost']);
    assert.deepEqual(judge({ lost: ['rate<0.2'] }, recorded, 10000), []);
    assert.deepEqual(judge({ lag: ['p(80)<10'] }, recorded), ['lag']);
    assert.deepEqual(judge({ lag: ['p(75)<10', 'med==3', 'min>=1', 'avg<30'] }, recorded), []);
    assert.deepEqual(judge({ lag: ['max<100'] }, recorded), ['lag']);
    assert.deepEqual(judge({ checks: ['rate>0.8'] }, recorded), ['checks']);
    assert.deepEqual(judge({ vus: ['value==5'] }, recorded), []);
  });

  it('judges a submetric on the samples carrying its tags only', () => {
    const recorded = metricsOf({ sessions: ['counter', [[1, { name: 'relay-ws' }], [1, { name: 'other' }], [1, { name: 'other' }]]] });
    assert.deepEqual(judge({ 'sessions{name:relay-ws}': ['count==1'] }, recorded), []);
    assert.deepEqual(judge({ 'sessions{name:other}': ['count==1'] }, recorded), ['sessions{name:other}']);
  });

  it('skips metrics without samples while running, and at the end reads them as k6 does: Counter 0, Trend 0, Rate passes', () => {
    const recorded = metricsOf({ delivered: ['counter', []], e2e: ['trend', []], ok: ['rate', []] });
    const entries = prepareThresholds({ delivered: ['count>0'], e2e: ['p(99)<50'], ok: ['rate>0.99'] }, recorded);
    assert.deepEqual(evaluate(entries, recorded, 4000, false).breached, []);
    assert.deepEqual(evaluate(entries, recorded, 4000, true).breached, ['delivered']);
  });

  it('asks to abort only for a failed abortOnFail threshold past its delayAbortEval', () => {
    const recorded = metricsOf({ errors: ['counter', [1]] });
    const now = prepareThresholds({ errors: [{ threshold: 'count==0', abortOnFail: true }] }, recorded);
    const later = prepareThresholds({ errors: [{ threshold: 'count==0', abortOnFail: true, delayAbortEval: '10s' }] }, recorded);
    const plain = prepareThresholds({ errors: ['count==0'] }, recorded);
    assert.equal(evaluate(now, recorded, 2000, false).abort, true);
    assert.equal(evaluate(later, recorded, 2000, false).abort, false);
    assert.equal(evaluate(later, recorded, 12000, false).abort, true);
    assert.equal(evaluate(plain, recorded, 2000, false).abort, false);
  });

  it('fails the default thresholds on one lost message, one unsent, a late generator, or one connection error (k6 exit 99)', () => {
    const defaults = readSettings({}, 4).thresholds;
    const clean = { messages_lost: ['counter', [0]], messages_unsent: ['counter', [0]], messages_rejected: ['counter', []], messages_open_failed: ['counter', []], connection_errors: ['counter', []], messages_delivered: ['counter', [1000]], schedule_lag: ['trend', [0, 1, 2]], end_to_end_latency: ['trend', [1, 2, 3]] };
    /** @param {Record<string, [RecordedMetric['type'], number[]]>} change */
    const with_ = (change) => judge(defaults, metricsOf(/** @type {any} */ ({ ...clean, ...change })));
    assert.deepEqual(with_({}), []);
    assert.deepEqual(with_({ messages_lost: ['counter', [1]] }), ['messages_lost']);
    assert.deepEqual(with_({ messages_unsent: ['counter', [3]] }), ['messages_unsent']);
    assert.deepEqual(with_({ schedule_lag: ['trend', [...Array(98).fill(1), 40, 40]] }), ['schedule_lag']);
    assert.deepEqual(with_({ connection_errors: ['counter', [1]] }), ['connection_errors']);
    assert.deepEqual(with_({ messages_delivered: ['counter', []] }), ['messages_delivered']);
  });
});
