// Turns k6's end-of-test summary into a `perf-result/1` document (results/schema/
// perf-result-1.schema.json), so perf compare, gate, report and merge read k6 runs too. It reads
// only Counters (whose `count` k6 always reports) and the histogram buckets (lib/histogram.js),
// never Trend statistics, so the file stays whole whatever --summary-trend-stats asks for.

import { HISTOGRAMS, pairsFromSummary, statsOf } from './histogram.js';

/**
 * The subset of k6's handleSummary data (its default, legacy shape) this reads.
 * @typedef {{ type: string, contains?: string, values: Record<string, number>, thresholds?: Record<string, { ok: boolean }> }} SummaryMetric
 * @typedef {{ metrics: Record<string, SummaryMetric | undefined>, setup_data?: unknown, options?: { noColor?: boolean }, state?: { isStdOutTTY?: boolean } }} SummaryData
 * @typedef {{ count: number, mean: number, p50: number, p90: number, p99: number, p999: number, p9999: number, max: number, histogram: [number, number][] }} Latency
 * @typedef {{ startMs: number, startedAt: string, doublings: number, shard: { index: number, count: number } | null }} RunFacts
 */

/** Marks the result on stdout, for runners whose files are lost with their pod (`perf k6 extract` reads them back). */
export const STDOUT_BEGIN = '-----BEGIN PERF RESULT-----';
export const STDOUT_END = '-----END PERF RESULT-----';

/**
 * Whether k6 passed its newer machine-readable summary (--new-machine-readable-summary), which
 * carries neither setup data nor the tagged bucket counts.
 * @param {unknown} data
 */
export function isMachineReadable(data) {
  return typeof data === 'object' && data !== null && 'results' in data && !('metrics' in data);
}

/**
 * A Counter's (or a submetric's) total; 0 when k6 saw no sample.
 * @param {SummaryData} data
 * @param {string} name
 */
export function countOf(data, name) {
  return data.metrics[name]?.values.count ?? 0;
}

/**
 * A latency from its histogram buckets, in microseconds; undefined when nothing was recorded.
 * @param {SummaryData} data
 * @param {string} prefix the histogram's Counter prefix
 * @param {number} doublings
 * @returns {Latency | undefined}
 */
export function latencyOf(data, prefix, doublings) {
  const pairs = pairsFromSummary(prefix, doublings, (name) => countOf(data, name));
  return pairs.length ? { ...statsOf(pairs), histogram: pairs } : undefined;
}

/**
 * Builds the result document.
 * @param {SummaryData} data k6's handleSummary argument
 * @param {import('./settings.js').Settings} settings the run's settings
 * @param {RunFacts} run what setup() decided: the common start and this runner's shard
 * @param {Record<string, string | number>} [environment] optional machine facts the user passed (cpu_model, cores, os, machine_name)
 */
export function buildPerfResult(data, settings, run, environment = {}) {
  const sent = countOf(data, 'messages_sent');
  const delivered = countOf(data, 'messages_delivered');
  /** @type {Record<string, unknown>} */
  const metrics = {};
  for (const { field, prefix } of HISTOGRAMS) {
    const latency = latencyOf(data, prefix, run.doublings);
    if (latency) metrics[field] = latency;
  }
  Object.assign(metrics, {
    sent,
    accepted: countOf(data, 'messages_accepted'),
    delivered,
    rejected: countOf(data, 'messages_rejected'),
    lost: countOf(data, 'messages_lost'),
    unsent: countOf(data, 'messages_unsent'),
    throughput_msgs_per_s: delivered / settings.durationS,
  });
  // A runner of a distributed test plays only its segment's VUs: k6's vus_max is how many.
  const connections = Math.min(settings.vus, data.metrics.vus_max?.values.value ?? settings.vus);
  /** @type {Record<string, unknown>} */
  const result = {
    schema: 'perf-result/1',
    kind: 'load',
    tool: 'k6',
    command: `k6 run relay-ws.js (RATE=${settings.rate} DURATION=${settings.durationS}s WARMUP=${settings.warmupS}s VUS=${settings.vus} SIZE=${settings.size} USER_OFFSET=${settings.userOffset}${run.shard ? ` shard ${run.shard.index}/${run.shard.count}` : ''})`,
    scenario: {
      target: 'relay-ws',
      connections,
      rate: (settings.rate * connections) / settings.vus,
      size: settings.size,
      duration_s: settings.durationS,
      warmup_s: settings.warmupS,
      arrival: 'constant',
      cipher: 'aes-256-gcm',
      backend: 'k6-webcrypto',
    },
    environment: { ...environment, backend: 'k6-webcrypto', cipher: 'aes-256-gcm' },
    started_at: run.startedAt,
    metrics,
  };
  if (run.shard) {
    result.shard = {
      index: run.shard.index,
      count: run.shard.count,
      start_time: new Date(run.startMs).toISOString(),
      // USER_OFFSET slices each declare their own VUS and RATE: the whole is known only under segments.
      ...(settings.shard ? {} : { total_connections: settings.vus, total_rate: settings.rate }),
    };
  }
  return result;
}

/**
 * The result as indented JSON with each histogram pair on one line: short lines survive a pod's
 * log (kubelet splits lines over 16 KiB), and the file stays readable.
 * @param {Record<string, unknown>} result
 */
export function formatResult(result) {
  return JSON.stringify(result, null, 1).replace(/\[\s+(\d+),\s+(\d+)\s+\]/g, '[$1, $2]');
}

/**
 * This runner's shard: SHARD=I/N when given, else its k6 execution segment (k6-operator gives each
 * runner one, e.g. "1/4:2/4" of "0,1/4,2/4,3/4,1"); null for a whole, unsplit run.
 * @param {{ index: number, count: number } | null} declared SHARD
 * @param {{ executionSegment?: unknown, executionSegmentSequence?: unknown }} options exec.test.options
 * @returns {{ index: number, count: number } | null}
 */
export function shardOf(declared, options) {
  if (declared) return declared;
  const segment = options.executionSegment ? String(options.executionSegment) : '';
  if (!segment || segment === '0:1') return null;
  const sequence = options.executionSegmentSequence ? String(options.executionSegmentSequence).split(',').map(fraction) : [];
  const [from] = segment.split(':').map(fraction);
  const index = sequence.findIndex((point) => Math.abs(point - from) < 1e-9);
  if (index < 0 || sequence.length < 2) {
    throw new Error(`execution segment '${segment}' is not in the sequence '${options.executionSegmentSequence}': give each runner SHARD=I/N`);
  }
  return { index, count: sequence.length - 1 };
}

/** @param {string} text "1/4", "0.25" or "1" */
function fraction(text) {
  const [numerator, denominator] = text.trim().split('/');
  return Number(numerator) / (denominator === undefined ? 1 : Number(denominator));
}

/**
 * The failed thresholds by metric, as k6 judged them: the reason a run exited 99, one line each.
 * @param {SummaryData} data
 * @returns {string[]}
 */
export function failedThresholds(data) {
  /** @type {string[]} */
  const failed = [];
  for (const [name, metric] of Object.entries(data.metrics)) {
    for (const [expression, verdict] of Object.entries(metric?.thresholds ?? {})) {
      if (!verdict.ok) failed.push(`${name}: ${expression} failed (${describe(metric)})`);
    }
  }
  return failed.sort();
}

/** @param {SummaryMetric | undefined} metric */
function describe(metric) {
  const v = metric?.values ?? {};
  if (metric?.type === 'counter') return `count ${v.count}`;
  if (metric?.type === 'trend') return Object.entries(v).map(([k, x]) => `${k}=${Math.round(x * 1000) / 1000}`).join(' ');
  return Object.entries(v).map(([k, x]) => `${k}=${x}`).join(' ');
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
