// The k6 script's settings from environment variables, checked up front so a typo fails the
// run at start with a message instead of measuring the wrong thing.

/**
 * A k6 threshold: an expression, or one that aborts the test as soon as it fails.
 * @typedef {string | { threshold: string, abortOnFail?: boolean, delayAbortEval?: string }} Threshold
 * @typedef {{ relayUrl: string, dataPath: string, rate: number, durationS: number, warmupS: number,
 *   drainS: number, vus: number, size: number, userOffset: number, resultOut: string, resultStdout: boolean,
 *   startDelayS: number, shard: { index: number, count: number } | null, thresholds: Record<string, Threshold[]> }} Settings
 */

/**
 * Parses a time such as `30s`, `2m`, `500ms` or a plain number of seconds.
 * @param {string} text
 * @param {string} name the variable, for the error message
 * @returns {number} seconds
 */
export function parseSeconds(text, name) {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) throw new Error(`${name} takes a time such as 30s, 2m or 500ms; got '${text}'`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return unit === 'ms' ? value / 1000 : unit === 'm' ? value * 60 : unit === 'h' ? value * 3600 : value;
}

/**
 * Parses `I/N` (0-based shard I of N), for k6 processes started by hand on slices of the users.
 * @param {string | undefined} text
 * @returns {{ index: number, count: number } | null}
 */
export function parseShard(text) {
  if (text === undefined || text === '') return null;
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!(count >= 1 && index >= 0 && index < count)) throw new Error(`SHARD takes I/N with 0 <= I < N, e.g. 0/2; got '${text}'`);
  return { index, count };
}

/**
 * @param {Record<string, string | undefined>} env
 * @param {string} name
 * @param {number} fallback
 * @param {number} min
 * @param {number} max
 */
function number(env, name, fallback, min, max) {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`${name} must be a number from ${min} to ${max}; got '${text}'`);
  return value;
}

/**
 * Reads the settings from `env` (k6's `__ENV`) for a data file of `users` identities.
 * @param {Record<string, string | undefined>} env
 * @param {number} users
 * @returns {Settings}
 */
export function readSettings(env, users) {
  const relayUrl = env.RELAY_URL ?? 'ws://127.0.0.1:7401/ws';
  if (!/^wss?:\/\/[^/]+/.test(relayUrl)) throw new Error(`RELAY_URL takes ws://HOST:PORT/ws or wss://...; got '${relayUrl}'`);
  const userOffset = number(env, 'USER_OFFSET', 0, 0, users - 1);
  const vus = number(env, 'VUS', users - userOffset, 1, users - userOffset);
  if (!Number.isInteger(vus) || !Number.isInteger(userOffset)) throw new Error('VUS and USER_OFFSET must be whole numbers');
  const size = number(env, 'SIZE', 256, 24, 60000);
  if (!Number.isInteger(size)) throw new Error('SIZE must be a whole number of bytes');
  const p99 = number(env, 'P99_MS', 50, 0.001, 3600000);
  const maxRejected = number(env, 'MAX_REJECTED', 0, 0, Number.MAX_SAFE_INTEGER);
  const maxLost = number(env, 'MAX_LOST', 0, 0, Number.MAX_SAFE_INTEGER);
  const lagP99 = number(env, 'LAG_P99_MS', 10, 0.001, 3600000);
  /** @type {Record<string, Threshold[]>} */
  let thresholds = {
    end_to_end_latency: [`p(99)<${p99}`],
    // The generator fell behind its schedule: k6's dropped_iterations for a script that keeps its own schedule.
    schedule_lag: [`p(99)<${lagP99}`],
    messages_lost: [`count<=${maxLost}`],
    messages_unsent: ['count==0'],
    messages_rejected: [`count<=${maxRejected}`],
    messages_open_failed: ['count==0'],
    // A dead connection makes every later figure meaningless: stop the test at the next evaluation.
    connection_errors: [{ threshold: 'count==0', abortOnFail: true }],
    // A Counter nobody added to ends at count 0: without this, a run that delivered nothing would pass.
    messages_delivered: ['count>0'],
  };
  if (env.THRESHOLDS_JSON) {
    try {
      thresholds = JSON.parse(env.THRESHOLDS_JSON);
    } catch {
      throw new Error('THRESHOLDS_JSON must be a JSON object of k6 thresholds, e.g. {"end_to_end_latency":["p(99)<20"]}');
    }
  }
  return {
    relayUrl,
    dataPath: env.DATA ?? 'data/users.json',
    rate: number(env, 'RATE', 100, 0.001, 10000000),
    durationS: parseSeconds(env.DURATION ?? '30s', 'DURATION'),
    warmupS: parseSeconds(env.WARMUP ?? '5s', 'WARMUP'),
    drainS: parseSeconds(env.DRAIN ?? '3s', 'DRAIN'),
    vus,
    size,
    userOffset,
    resultOut: env.RESULT_OUT ?? 'k6-result.json',
    resultStdout: env.RESULT_STDOUT === '1' || env.RESULT_STDOUT === 'true',
    startDelayS: parseSeconds(env.START_DELAY ?? '2s', 'START_DELAY'),
    shard: parseShard(env.SHARD),
    thresholds,
  };
}
