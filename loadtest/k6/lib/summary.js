// Turns k6's end-of-test summary into a `perf-result/1` document (results/schema/
// perf-result-1.schema.json), so perf compare, perf gate and perf report read k6 runs too.

/**
 * The subset of k6's handleSummary data this reads.
 * @typedef {{ type: string, contains?: string, values: Record<string, number> }} SummaryMetric
 * @typedef {{ metrics: Record<string, SummaryMetric | undefined>, setup_data?: unknown }} SummaryData
 * @typedef {{ count: number, mean: number, p50: number, p90: number, p99: number, p999: number, p9999: number, max: number }} Latency
 */

/** Trend statistics the script asks k6 to keep (options.summaryTrendStats). */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(99)', 'p(99.9)', 'p(99.99)', 'count'];

/**
 * A k6 Trend in milliseconds as a latency summary in microseconds; undefined when absent or empty.
 * @param {SummaryMetric | undefined} metric
 * @returns {Latency | undefined}
 */
export function latencyOf(metric) {
  if (!metric || metric.type !== 'trend' || !metric.values.count) return undefined;
  const v = metric.values;
  const us = (/** @type {string} */ name) => Math.max(0, Math.round((v[name] ?? 0) * 1000 * 1000) / 1000);
  return { count: v.count, mean: us('avg'), p50: us('med'), p90: us('p(90)'), p99: us('p(99)'), p999: us('p(99.9)'), p9999: us('p(99.99)'), max: us('max') };
}

/**
 * @param {SummaryData} data
 * @param {string} name
 */
function countOf(data, name) {
  return data.metrics[name]?.values.count ?? 0;
}

/**
 * Builds the result document.
 * @param {SummaryData} data k6's handleSummary argument
 * @param {import('./settings.js').Settings} settings the run's settings
 * @param {string} startedAt ISO 8601 time measurement began
 * @param {Record<string, string | number>} [environment] optional machine facts the user passed (cpu_model, cores, os, machine_name)
 */
export function buildPerfResult(data, settings, startedAt, environment = {}) {
  const sent = countOf(data, 'messages_sent');
  const delivered = countOf(data, 'messages_delivered');
  const rejected = countOf(data, 'messages_rejected');
  /** @type {Record<string, unknown>} */
  const metrics = {};
  for (const [field, trend] of [['seal_us', 'e2e_seal'], ['forward_us', 'forward_latency'], ['open_us', 'e2e_open'], ['end_to_end_us', 'end_to_end_latency'], ['generator_lag_us', 'schedule_lag']]) {
    const latency = latencyOf(data.metrics[trend]);
    if (latency) metrics[field] = latency;
  }
  Object.assign(metrics, {
    sent,
    accepted: countOf(data, 'messages_accepted'),
    delivered,
    rejected,
    lost: Math.max(0, sent - delivered - rejected),
    throughput_msgs_per_s: delivered / settings.durationS,
  });
  return {
    schema: 'perf-result/1',
    kind: 'load',
    tool: 'k6',
    command: `k6 run relay-ws.js (RATE=${settings.rate} DURATION=${settings.durationS}s WARMUP=${settings.warmupS}s VUS=${settings.vus} SIZE=${settings.size} USER_OFFSET=${settings.userOffset})`,
    scenario: {
      target: 'relay-ws',
      connections: settings.vus,
      rate: settings.rate,
      size: settings.size,
      duration_s: settings.durationS,
      warmup_s: settings.warmupS,
      arrival: 'constant',
      cipher: 'aes-256-gcm',
      backend: 'k6-webcrypto',
    },
    environment: { ...environment, backend: 'k6-webcrypto', cipher: 'aes-256-gcm' },
    started_at: startedAt,
    metrics,
  };
}

/**
 * Machine facts the user chose to record (k6 cannot read them): PERF_CPU_MODEL, PERF_CORES, PERF_OS, PERF_MACHINE_NAME.
 * @param {Record<string, string | undefined>} env
 * @returns {Record<string, string | number>}
 */
export function environmentFromEnv(env) {
  /** @type {Record<string, string | number>} */
  const facts = {};
  if (env.PERF_CPU_MODEL) facts.cpu_model = env.PERF_CPU_MODEL;
  if (env.PERF_CORES && Number.isInteger(Number(env.PERF_CORES)) && Number(env.PERF_CORES) > 0) facts.cores = Number(env.PERF_CORES);
  if (env.PERF_OS) facts.os = env.PERF_OS;
  if (env.PERF_MACHINE_NAME) facts.machine_name = env.PERF_MACHINE_NAME;
  return facts;
}
