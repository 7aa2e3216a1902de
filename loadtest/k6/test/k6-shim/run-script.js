// Runs ../../relay-ws.js the way `k6 run` does for a local test and exits with k6's code: init
// code with __ENV and open(); the options' thresholds checked against the declared metrics (exit
// 104 when invalid); setup(); every VU's single iteration; thresholds evaluated every 2 s while it
// runs (an abortOnFail one that fails stops the test, and later samples are dropped); the
// scenario's maxDuration plus k6's 30 s gracefulStop; the final evaluation; handleSummary with
// k6's summary data; exit 99 when a threshold failed, 108 when the script aborted the test.
//
// Usage: node --import ./register.js run-script.js, environment as for k6 (K6_SUMMARY_TREND_STATS
// and K6_NO_COLOR as k6 reads them; K6_DURATION stands for `k6 run --duration`, which replaces the
// script's scenarios). Test hooks: SHIM_BLOCK_AFTER_MS and SHIM_BLOCK_MS block the event loop once;
// SHIM_TAGS_OUT writes every tag value any sample carried (one JSON array) for the tag test.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summaryData } from './summary-data.js';
import { ExitCode, InvalidThreshold, evaluate, prepareThresholds } from './thresholds.js';

const THRESHOLDS_EVERY_MS = 2000;
const GRACEFUL_STOP_MS = 30000;
const scriptDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
Object.assign(globalThis, {
  __ENV: { ...process.env },
  open: (/** @type {string} */ path) => readFileSync(resolve(scriptDir, path), 'utf8'),
});

const { default: exec, TestAborted } = await import('./execution.js');
const { recorded, emit, state } = await import('./metrics.js');
const { open: sockets } = await import('./websockets.js');

/** @type {any} */
let script;
try {
  script = await import('../../relay-ws.js');
} catch (error) {
  console.error(`script exception in the init context: ${error instanceof Error ? error.message : error}`);
  process.exit(ExitCode.SCRIPT_EXCEPTION);
}

const options = { ...script.options };
if (process.env.K6_DURATION) {
  options.scenarios = { default: { executor: 'constant-vus', vus: 1, duration: process.env.K6_DURATION } };
}
const trendStats = process.env.K6_SUMMARY_TREND_STATS?.split(',') ?? options.summaryTrendStats ?? ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
/** @type {import('./thresholds.js').MetricThresholds[]} */
let thresholds;
try {
  thresholds = prepareThresholds(options.thresholds ?? {}, recorded);
} catch (error) {
  if (!(error instanceof InvalidThreshold)) throw error;
  console.error(error.message);
  process.exit(ExitCode.INVALID_CONFIG);
}

exec.test.options = options;
state.running = true;
const startedMs = Date.now();
/** @type {unknown} */
let shared;
try {
  shared = script.setup?.();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(error instanceof TestAborted ? ExitCode.SCRIPT_ABORTED : ExitCode.SCRIPT_EXCEPTION);
}

const scenario = options.scenarios.messages;
emit('vus_max', 'gauge', scenario.vus);
for (let vu = 1; vu <= scenario.vus; vu++) {
  exec.vu.idInTest = vu;
  try {
    script.default(shared);
  } catch (error) {
    // k6 logs a failed iteration and goes on; only thresholds decide the exit code.
    console.error(`VU ${vu}: ${error instanceof Error ? error.message : error}`);
  }
}

if (process.env.SHIM_BLOCK_MS) {
  setTimeout(() => {
    const until = Date.now() + Number(process.env.SHIM_BLOCK_MS);
    while (Date.now() < until) {
      // a VU's event loop stuck in synchronous work
    }
  }, Number(process.env.SHIM_BLOCK_AFTER_MS ?? 0));
}

/** @param {string} why */
const interrupt = (why) => {
  if (state.interrupted) return;
  console.error(why);
  state.interrupted = true;
  for (const socket of sockets) socket.terminate();
};

const maxDurationMs = Number(/^(\d+)s$/.exec(scenario.maxDuration)?.[1] ?? 600) * 1000;
await new Promise((done) => {
  const poll = setInterval(() => {
    if (sockets.size === 0) {
      clearInterval(poll);
      clearInterval(evaluation);
      done(undefined);
    } else if (Date.now() - startedMs > maxDurationMs + GRACEFUL_STOP_MS) {
      interrupt(`the scenario ran past its maxDuration of ${scenario.maxDuration} and gracefulStop: iterations interrupted`);
    }
  }, 50);
  const evaluation = setInterval(() => {
    const { breached, abort } = evaluate(thresholds, recorded, Date.now() - startedMs, false);
    if (abort) interrupt(`thresholds on metrics '${breached.join(', ')}' were crossed; at least one has abortOnFail enabled, stopping test prematurely`);
  }, THRESHOLDS_EVERY_MS);
});

state.running = false;
const durationMs = Date.now() - startedMs;
const { breached } = evaluate(thresholds, recorded, durationMs, true);
const data = summaryData(recorded, thresholds, { trendStats, durationMs, noColor: Boolean(process.env.K6_NO_COLOR), isStdOutTTY: Boolean(process.stdout.isTTY), setupData: shared });
if (process.env.SHIM_TAGS_OUT) {
  const tags = new Set();
  for (const [name, metric] of recorded) for (const sample of metric.samples) for (const [k, v] of Object.entries(sample.tags)) tags.add(`${name} ${k}=${v}`);
  writeFileSync(process.env.SHIM_TAGS_OUT, JSON.stringify([...tags]));
}
const files = script.handleSummary ? script.handleSummary(data) : {};
for (const [path, content] of Object.entries(files)) {
  if (path === 'stdout') process.stdout.write(content);
  else if (path === 'stderr') process.stderr.write(content);
  else writeFileSync(path, content);
}
if (breached.length > 0) {
  console.error(`thresholds on metrics '${breached.join(', ')}' have been crossed`);
  process.exit(ExitCode.THRESHOLDS_FAILED);
}
process.exit(ExitCode.OK);
