import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HISTOGRAMS, LocalHistogram, bucketOf, bucketThresholds, counterName, doublingsFor, highestOf, pairsFromSummary, statsOf } from '../lib/histogram.js';
import { Counter, recorded, state } from './k6-shim/metrics.js';
import { summaryData } from './k6-shim/summary-data.js';
import { evaluate, prepareThresholds } from './k6-shim/thresholds.js';

describe('latency histograms that survive k6 summary and add up across runners', () => {
  it('puts every value in a bucket at most 3.1 % wide whose highest value is at or above it', () => {
    const doublings = doublingsFor(3_600_000_000);
    for (let us = 0; us < 4_000_000_000; us = us < 100 ? us + 1 : Math.ceil(us * 1.013)) {
      const [d, s] = bucketOf(us, doublings);
      const high = highestOf(d, s);
      const low = d === 0 ? s : s * 2 ** d;
      assert.ok(low <= Math.min(us, 2 ** 32 - 1) && Math.min(us, 2 ** 32 - 1) <= high, `${us} in [${low}, ${high}]`);
      assert.ok(d === 0 || (high + 1 - low) / low <= 1 / 32, `bucket of ${us} too wide`);
    }
    assert.deepEqual(bucketOf(-5, doublings), [0, 0]);
  });

  it('sizes its range to the run and clamps what lies beyond into the top bucket', () => {
    assert.equal(doublingsFor(60), 1);
    assert.equal(doublingsFor(64), 2);
    const d = doublingsFor(70e6);
    assert.ok(64 * 2 ** (d - 1) > 70e6 && 64 * 2 ** (d - 2) <= 70e6);
    assert.deepEqual(bucketOf(1e12, d), bucketOf(64 * 2 ** (d - 1) - 1, d));
  });

  it('reports count, mean, percentiles and max as HdrHistogram does from the buckets', () => {
    /** @type {[number, number][]} */
    const pairs = [[10, 50], [20, 40], [1000, 9], [5000, 1]];
    assert.deepEqual(statsOf(pairs), { count: 100, mean: (500 + 800 + 9000 + 5000) / 100, p50: 10, p90: 20, p99: 1000, p999: 5000, p9999: 5000, max: 5000 });
    assert.deepEqual(statsOf([]), { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, p9999: 0, max: 0 });
  });

  it('carries every VU\'s buckets through k6 Counters, tags and always-passing thresholds into handleSummary, whatever trend stats are kept', () => {
    const doublings = doublingsFor(70e6);
    const all = HISTOGRAMS.map((h) => Array.from({ length: doublings }, (_, d) => new Counter(counterName(h.prefix, d))));
    const { prefix } = HISTOGRAMS[3];
    const counters = all[3];
    const values = [0.4, 17, 63, 64, 1500, 1512, 250_000, 9e9];
    const vus = [new LocalHistogram(doublings), new LocalHistogram(doublings)];
    values.forEach((v, i) => vus[i % 2].record(v));
    state.running = true;
    vus.forEach((h) => h.flush(counters));
    state.running = false;
    assert.ok(vus.every((h) => h.counts.every((c) => c === 0)), 'a flush starts again from zero');

    const thresholds = prepareThresholds(bucketThresholds(doublings), recorded);
    assert.deepEqual(evaluate(thresholds, recorded, 1000, true).breached, [], 'the transport thresholds never fail');
    const data = summaryData(recorded, thresholds, { trendStats: ['avg'], durationMs: 1000, noColor: true, isStdOutTTY: false, setupData: {} });
    const pairs = pairsFromSummary(prefix, doublings, (name) => data.metrics[name]?.values.count ?? 0);

    const expected = new Map();
    for (const v of values) {
      const high = highestOf(...bucketOf(v * 1, doublings));
      expected.set(high, (expected.get(high) ?? 0) + 1);
    }
    assert.deepEqual(pairs, [...expected].sort((a, b) => a[0] - b[0]));
  });
});
