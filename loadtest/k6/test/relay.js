// Real C# processes for the Node tests: `perf relay` on loopback, `perf k6 prepare` and
// `perf k6 peer`, run from the perf.dll that CI builds (PERF_DLL overrides the path).

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The perf.dll to run, or null when it has not been built. */
export const perfDll = (() => {
  const path = process.env.PERF_DLL ?? fileURLToPath(new URL('../../../src/Perf.Cli/bin/Release/net10.0/perf.dll', import.meta.url));
  return existsSync(path) ? path : null;
})();

/** Why the tests that need the C# side skip, or false when they can run. */
export const skipReason = perfDll ? false : 'perf.dll is not built: run `dotnet build -c Release` first, or set PERF_DLL';

/**
 * Starts a process and resolves with it once a line of its stdout starts with `prefix`.
 * @param {string[]} args perf arguments
 * @param {string} prefix
 * @returns {Promise<{ child: import('node:child_process').ChildProcess, line: string }>}
 */
function startUntil(args, prefix) {
  const child = spawn('dotnet', [/** @type {string} */ (perfDll), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => reject(new Error(`perf ${args[0]} did not print '${prefix}' within 60 s: ${stderr}`)), 60000);
    child.stdout?.on('data', (chunk) => {
      pending += chunk;
      const line = pending.split('\n').find((l) => l.startsWith(prefix));
      if (line) {
        clearTimeout(timer);
        resolve({ child, line });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`perf ${args[0]} exited with ${code} before '${prefix}': ${stderr}`));
    });
  });
}

/**
 * Starts `perf relay` on free loopback ports with a fresh WebSocket secret.
 * @returns {Promise<{ wsUrl: string, secret: string, stop: () => void, kill: () => void }>}
 */
export async function startRelay() {
  const secret = randomBytes(24).toString('base64');
  const { child, line } = await startUntil(['relay', '--tcp', '127.0.0.1:0', '--ws', '127.0.0.1:0', '--ws-secret', secret], 'relay listening ');
  const ws = /ws=(\S+)/.exec(line)?.[1];
  if (!ws) throw new Error(`no ws= in '${line}'`);
  return { wsUrl: `ws://${ws}/ws`, secret, stop: () => child.kill(), kill: () => child.kill('SIGKILL') };
}

/**
 * Runs `perf k6 prepare` and returns the data file's contents.
 * @param {number} users
 * @param {'ring' | 'pairs'} pairs
 * @param {string} secret
 * @param {string} out
 */
export function prepare(users, pairs, secret, out) {
  const run = spawnSync('dotnet', [/** @type {string} */ (perfDll), 'k6', 'prepare', '--users', String(users), '--pairs', pairs, '--ws-secret', secret, '--out', out], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`perf k6 prepare failed (${run.status}): ${run.stderr}`);
}

/**
 * Starts `perf k6 peer` as `user` and resolves once it is connected; `exited` settles with its exit code.
 * @param {string} wsUrl
 * @param {string} dataPath
 * @param {number} user
 * @param {number} count
 */
export async function startPeer(wsUrl, dataPath, user, count) {
  const { child } = await startUntil(['k6', 'peer', '--relay', wsUrl, '--data', dataPath, '--user', String(user), '--count', String(count)], 'peer ready');
  /** @type {Promise<number | null>} */
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return { exited, stop: () => child.kill() };
}
