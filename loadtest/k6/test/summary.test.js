import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readSettings } from '../lib/settings.js';
import { buildPerfResult, environmentFromEnv, latencyOf } from '../lib/summary.js';
import { validatePerfResult } from './schema.js';

/** @type {import('../lib/summary.js').SummaryData & { setup_data: { startedAt: string } }} */
const summary = JSON.parse(readFileSync(new URL('./fixtures/k6-summary.json', import.meta.url), 'utf8'));
const settings = readSettings({ RATE: '150', DURATION: '40s', WARMUP: '5s', VUS: '20' }, 20);

describe('handleSummary result (perf-result/1, tool k6)', () => {
  it('validates against the committed schema', () => {
    const result = buildPerfResult(summary, settings, summary.setup_data.startedAt, environmentFromEnv({ PERF_CORES: '8', PERF_CPU_MODEL: 'test cpu' }));
    assert.ok(validatePerfResult(result), JSON.stringify(validatePerfResult.errors));
    assert.equal(result.tool, 'k6');
  });

  it('converts k6 trends from milliseconds to microseconds', () => {
    assert.deepEqual(latencyOf(summary.metrics.end_to_end_latency), { count: 5998, mean: 1900, p50: 2000, p90: 3000, p99: 8000, p999: 21000, p9999: 31200, max: 33000 });
  });

  it('accounts for every message and derives throughput from the measured window', () => {
    const metrics = /** @type {Record<string, number>} */ (buildPerfResult(summary, settings, summary.setup_data.startedAt).metrics);
    assert.equal(metrics.sent, 6000);
    assert.equal(metrics.delivered, 5998);
    assert.equal(metrics.lost, 2);
    assert.equal(metrics.throughput_msgs_per_s, 5998 / 40);
  });

  it('leaves out latencies k6 did not record, and still validates', () => {
    const empty = { metrics: { messages_sent: { type: 'counter', values: { count: 0 } } } };
    const result = buildPerfResult(empty, settings, summary.setup_data.startedAt);
    assert.equal('end_to_end_us' in result.metrics, false);
    assert.ok(validatePerfResult(result), JSON.stringify(validatePerfResult.errors));
  });

  it('is not a valid perf result when it claims to be from perf without the machine fields', () => {
    const result = { ...buildPerfResult(summary, settings, summary.setup_data.startedAt), tool: 'perf' };
    assert.equal(validatePerfResult(result), false);
  });
});

describe('settings from the environment', () => {
  it('has documented defaults', () => {
    const defaults = readSettings({}, 10);
    assert.equal(defaults.vus, 10);
    assert.equal(defaults.rate, 100);
    assert.equal(defaults.durationS, 30);
    assert.equal(defaults.size, 256);
    assert.deepEqual(defaults.thresholds.end_to_end_latency, ['p(99)<50']);
    assert.deepEqual(defaults.thresholds.messages_rejected, ['count<=0']);
  });

  it('overrides thresholds from P99_MS, MAX_REJECTED or THRESHOLDS_JSON', () => {
    assert.deepEqual(readSettings({ P99_MS: '20', MAX_REJECTED: '5' }, 4).thresholds.end_to_end_latency, ['p(99)<20']);
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
  });
});
