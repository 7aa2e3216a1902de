// Runs ../../relay-ws.js the way k6 would for a local test: init code with __ENV and open(),
// setup(), every VU's single iteration, then handleSummary with summary data built from the
// recorded metrics. Usage: node --import ./register.js run-script.js (environment as for k6).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const scriptDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
Object.assign(globalThis, {
  __ENV: { ...process.env },
  open: (/** @type {string} */ path) => readFileSync(resolve(scriptDir, path), 'utf8'),
});

const { default: exec } = await import('./execution.js');
const { recorded } = await import('./metrics.js');
const { open: sockets } = await import('./websockets.js');
const script = await import('../../relay-ws.js');

const shared = script.setup();
for (let vu = 1; vu <= script.options.scenarios.messages.vus; vu++) {
  exec.vu.idInTest = vu;
  script.default(shared);
}
await new Promise((done) => {
  const poll = setInterval(() => {
    if (sockets.size === 0) {
      clearInterval(poll);
      done(undefined);
    }
  }, 100);
});

/** @type {Record<string, { type: string, values: Record<string, number> }>} */
const metrics = {};
for (const [name, { type, values }] of recorded) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (/** @type {number} */ q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((q / 100) * sorted.length) - 1)] : 0);
  metrics[name] = type === 'counter'
    ? { type, values: { count: values.reduce((a, b) => a + b, 0) } }
    : { type, values: { count: sorted.length, avg: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1), min: sorted[0] ?? 0, med: at(50), max: sorted.at(-1) ?? 0, 'p(90)': at(90), 'p(99)': at(99), 'p(99.9)': at(99.9), 'p(99.99)': at(99.99) } };
}
const files = script.handleSummary({ metrics, setup_data: shared });
for (const [path, content] of Object.entries(files)) {
  if (path !== 'stdout') writeFileSync(path, content);
}
