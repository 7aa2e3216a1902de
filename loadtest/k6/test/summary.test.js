import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HISTOGRAMS, bucketThresholds, counterName, doublingsFor } from '../lib/histogram.js';
import { parseShard, readSettings } from '../lib/settings.js';
import { buildPerfResult, environmentFromEnv, failedThresholds, formatResult, isMachineReadable, shardOf } from '../lib/summary.js';
import { usersOf } from '../lib/users.js';
import { Counter, Gauge, Trend, recorded, state } from './k6-shim/metrics.js';
import { summaryData } from './k6-shim/summary-data.js';
import { evaluate, prepareThresholds } from './k6-shim/thresholds.js';
import { validatePerfResult } from './schema.js';

const settings = readSettings({ RATE: '150', DURATION: '40s', WARMUP: '5s', VUS: '20' }, 20);
const doublings = doublingsFor(90e6);
const run = { startMs: Date.UTC(2026, 11, 1, 10, 0, 0), startedAt: '2026-12-01T10:00:05.000Z', doublings, shard: null };

// The summary k6 would hand handleSummary after a run that recorded these samples (built by the
// same stand-in the script runs under, with the script's own thresholds), not a hand-written one.
/** @type {ReturnType<typeof summaryData>} */
let summary;
{
  const counters = Object.fromEntries(['messages_sent', 'messages_accepted', 'messages_delivered', 'messages_rejected', 'messages_lost', 'messages_unsent', 'messages_open_failed', 'connection_errors'].map((n) => [n, new Counter(n)]));
  const buckets = HISTOGRAMS.map((h) => Array.from({ length: doublings }, (_, d) => new Counter(counterName(h.prefix, d))));
  HISTOGRAMS.forEach((h) => new Trend(h.trend));
  const vusMax = new Gauge('vus_max');
  state.running = true;
  counters.messages_sent.add(6000);
  counters.messages_accepted.add(6000);
  counters.messages_delivered.add(5998);
  counters.messages_lost.add(2);
  counters.messages_unsent.add(0);
  // end_to_end: 5000 in the bucket of 2000 µs (1984-2015), 998 of 8000 µs (7936-8063).
  buckets[3][5].add(5000, { b: '62' });
  buckets[3][7].add(998, { b: '62' });
  vusMax.add(20);
  state.running = false;
  const thresholds = prepareThresholds({ ...settings.thresholds, ...bucketThresholds(doublings) }, recorded);
  evaluate(thresholds, recorded, 40000, true);
  summary = summaryData(recorded, thresholds, { trendStats: ['avg'], durationMs: 41000, noColor: false, isStdOutTTY: false, setupData: run });
}

describe('handleSummary result (perf-result/1, tool k6)', () => {
  it('validates against the committed schema, and reads only counters and histogram buckets', () => {
    const result = buildPerfResult(summary, settings, run, environmentFromEnv({ PERF_CORES: '8', PERF_CPU_MODEL: 'test cpu' }));
    assert.ok(validatePerfResult(result), JSON.stringify(validatePerfResult.errors));
    assert.equal(result.tool, 'k6');
    const m = /** @type {Record<string, any>} */ (result.metrics);
    assert.deepEqual([m.sent, m.delivered, m.lost, m.unsent], [6000, 5998, 2, 0]);
    assert.equal(m.throughput_msgs_per_s, 5998 / 40);
    assert.deepEqual(m.end_to_end_us.histogram, [[2015, 5000], [8063, 998]]);
    assert.deepEqual([m.end_to_end_us.count, m.end_to_end_us.p50, m.end_to_end_us.p99, m.end_to_end_us.max], [5998, 2015, 8063, 8063]);
    assert.equal('seal_us' in m, false, 'a latency with no bucket is left out');
  });

  it('writes each histogram pair on one line', () => {
    const text = formatResult(buildPerfResult(summary, settings, run));
    assert.match(text, /\[2015, 5000\],\n\s*\[8063, 998\]/);
    assert.ok(text.split('\n').every((line) => line.length < 200));
  });

  it('records a runner\'s shard: its slice of connections and rate, and the whole test\'s', () => {
    const segment = { ...run, shard: { index: 1, count: 4 } };
    const runner = buildPerfResult({ ...summary, metrics: { ...summary.metrics, vus_max: { type: 'gauge', values: { value: 5 } } } }, settings, segment);
    assert.ok(validatePerfResult(runner), JSON.stringify(validatePerfResult.errors));
    assert.deepEqual(runner.scenario, { ...(/** @type {object} */ (runner.scenario)), connections: 5, rate: 37.5 });
    assert.deepEqual(runner.shard, { index: 1, count: 4, start_time: '2026-12-01T10:00:00.000Z', total_connections: 20, total_rate: 150 });
  });

  it('finds the shard from SHARD, or from the execution segment k6-operator gives each runner', () => {
    assert.deepEqual(shardOf({ index: 0, count: 2 }, {}), { index: 0, count: 2 });
    assert.deepEqual(shardOf(null, { executionSegment: '1/4:1/2', executionSegmentSequence: '0,1/4,1/2,3/4,1' }), { index: 1, count: 4 });
    assert.deepEqual(shardOf(null, { executionSegment: '0:1/3', executionSegmentSequence: '0,1/3,2/3,1' }), { index: 0, count: 3 });
    assert.equal(shardOf(null, {}), null);
    assert.equal(shardOf(null, { executionSegment: '0:1' }), null);
    assert.throws(() => shardOf(null, { executionSegment: '1/5:2/5', executionSegmentSequence: '0,1/4,1' }), /give each runner SHARD=I\/N/);
  });

  it('names each failed threshold with its value, and tells k6\'s newer machine-readable summary apart', () => {
    const failed = failedThresholds({ metrics: { messages_lost: { type: 'counter', values: { count: 2 }, thresholds: { 'count<=0': { ok: false } } }, sent: { type: 'counter', values: { count: 1 }, thresholds: { 'count>0': { ok: true } } } } });
    assert.deepEqual(failed, ['messages_lost: count<=0 failed (count 2)']);
    assert.equal(isMachineReadable({ results: { metrics: [] }, version: '1.0.0' }), true);
    assert.equal(isMachineReadable(summary), false);
  });

  it('is not a valid perf result when it claims to be from perf without the machine fields', () => {
    const result = { ...buildPerfResult(summary, settings, run), tool: 'perf' };
    assert.equal(validatePerfResult(result), false);
  });
});

describe('settings and data from the environment', () => {
  it('has documented defaults: every loss, lag and connection threshold on', () => {
    const defaults = readSettings({}, 10);
    assert.equal(defaults.vus, 10);
    assert.equal(defaults.rate, 100);
    assert.equal(defaults.durationS, 30);
    assert.equal(defaults.size, 256);
    assert.equal(defaults.shard, null);
    assert.deepEqual(defaults.thresholds.end_to_end_latency, ['p(99)<50']);
    assert.deepEqual(defaults.thresholds.schedule_lag, ['p(99)<10']);
    assert.deepEqual(defaults.thresholds.messages_lost, ['count<=0']);
    assert.deepEqual(defaults.thresholds.messages_unsent, ['count==0']);
    assert.deepEqual(defaults.thresholds.messages_rejected, ['count<=0']);
    assert.deepEqual(defaults.thresholds.connection_errors, [{ threshold: 'count==0', abortOnFail: true }]);
  });

  it('overrides thresholds from P99_MS, LAG_P99_MS, MAX_LOST, MAX_REJECTED or THRESHOLDS_JSON', () => {
    assert.deepEqual(readSettings({ P99_MS: '20' }, 4).thresholds.end_to_end_latency, ['p(99)<20']);
    assert.deepEqual(readSettings({ LAG_P99_MS: '25' }, 4).thresholds.schedule_lag, ['p(99)<25']);
    assert.deepEqual(readSettings({ MAX_LOST: '3' }, 4).thresholds.messages_lost, ['count<=3']);
    assert.deepEqual(readSettings({ MAX_REJECTED: '5' }, 4).thresholds.messages_rejected, ['count<=5']);
    assert.deepEqual(readSettings({ THRESHOLDS_JSON: '{"end_to_end_latency":["p(99.9)<100"]}' }, 4).thresholds, { end_to_end_latency: ['p(99.9)<100'] });
  });

  it('refuses values that would measure the wrong thing, naming the variable', () => {
    assert.throws(() => readSettings({ VUS: '11' }, 10), /VUS must be a number from 1 to 10/);
    assert.throws(() => readSettings({ USER_OFFSET: '6', VUS: '5' }, 10), /VUS must be a number from 1 to 4/);
    assert.throws(() => readSettings({ SIZE: '8' }, 10), /SIZE must be a number from 24/);
    assert.throws(() => readSettings({ DURATION: 'forever' }, 10), /DURATION takes a time/);
    assert.throws(() => readSettings({ RATE: '-3' }, 10), /RATE must be a number/);
    assert.throws(() => readSettings({ RELAY_URL: 'http://x/ws' }, 10), /RELAY_URL takes ws:/);
    assert.throws(() => readSettings({ THRESHOLDS_JSON: '{oops' }, 10), /THRESHOLDS_JSON must be a JSON object/);
    assert.throws(() => readSettings({ LAG_P99_MS: '0' }, 10), /LAG_P99_MS must be a number/);
    for (const bad of ['2/2', '1', 'a/b', '-1/2']) assert.throws(() => parseShard(bad), /SHARD takes I\/N/, bad);
    assert.deepEqual(parseShard(' 1 / 3 '), { index: 1, count: 3 });
  });

  it('reads the data file and works out who sends to each user', () => {
    const users = usersOf(JSON.stringify({ format: 'perf-k6-data/1', users: [0, 1, 2].map((i) => ({ index: i, identity: '', token: '', sends_to: (i + 1) % 3, sessions: [] })) }));
    assert.deepEqual(users.map((u) => u.sent_by), [[2], [0], [1]]);
    assert.throws(() => usersOf('{"format":"other","users":[]}'), /not a perf k6 prepare file/);
    assert.throws(() => usersOf(JSON.stringify({ format: 'perf-k6-data/1', users: [{ index: 0, sends_to: 5 }, { index: 1, sends_to: 0 }] })), /sends to user 5/);
  });
});
