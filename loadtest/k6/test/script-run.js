// Runs relay-ws.js under the k6 stand-ins (test/k6-shim/run-script.js) as its own process, the way
// `k6 run` would, and collects its exit code, output and result file.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {{ status: number | null, stdout: string, stderr: string, elapsedMs: number, resultPath: string, result: any, tags: string[] }} ScriptRun
 */

/**
 * Settings every test run starts from: short, and latency and lag limits far above anything a
 * shared, loaded CI machine shows, so only what a test provokes fails a run (timing targets
 * belong to benchmarks, not tests).
 */
export const QUICK = { RATE: '200', DURATION: '3s', WARMUP: '1s', DRAIN: '2s', START_DELAY: '1s', P99_MS: '60000', LAG_P99_MS: '30000' };

/** A fresh folder for one run's files. */
export function runFolder() {
  return mkdtempSync(join(tmpdir(), 'k6-script-'));
}

/**
 * Runs the script with `env` on top of the current environment; `onStart` gets the child process.
 * @param {Record<string, string>} env
 * @param {(child: import('node:child_process').ChildProcess) => void} [onStart]
 * @returns {Promise<ScriptRun>}
 */
export function runScript(env, onStart) {
  const folder = runFolder();
  const resultPath = env.RESULT_OUT ?? join(folder, 'result.json');
  const tagsPath = join(folder, 'tags.json');
  const started = performance.now();
  // Not a test file of node --test: without this its console output would go to the test reporter's channel.
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', './k6-shim/register.js', 'k6-shim/run-script.js'], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    env: { ...inherited, RESULT_OUT: resultPath, SHIM_TAGS_OUT: tagsPath, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  onStart?.(child);
  return new Promise((resolve) => {
    child.on('exit', (status) => {
      resolve({
        status,
        stdout,
        stderr,
        elapsedMs: performance.now() - started,
        resultPath,
        result: existsSync(resultPath) ? JSON.parse(readFileSync(resultPath, 'utf8')) : null,
        tags: existsSync(tagsPath) ? JSON.parse(readFileSync(tagsPath, 'utf8')) : [],
      });
    });
  });
}

/**
 * The sequence numbers the schedule sends in the measured window, over every VU.
 * @param {{ rate: number, vus: number, warmupS: number, durationS: number }} settings
 */
export async function scheduledCount(settings) {
  const { scheduleOf } = await import('../lib/schedule.js');
  let total = 0;
  for (let v = 0; v < settings.vus; v++) {
    const s = scheduleOf(settings, v);
    total += s.endMeasured - s.firstMeasured;
  }
  return total;
}
