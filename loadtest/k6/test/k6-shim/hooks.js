// Node module hooks that map the k6 modules relay-ws.js imports to the stand-ins in this
// folder, so the real script runs under Node against a real relay (k6 itself is not installed
// where CI runs). They map names only; the script's own code runs unchanged.

const STAND_INS = {
  'k6/data': './data.js',
  'k6/execution': './execution.js',
  'k6/metrics': './metrics.js',
  'k6/timers': './timers.js',
  'k6/websockets': './websockets.js',
  'https://jslib.k6.io/k6-summary/0.1.0/index.js': './summary.js',
};

/**
 * @param {string} specifier
 * @param {unknown} context
 * @param {(specifier: string, context: unknown) => unknown} nextResolve
 */
export function resolve(specifier, context, nextResolve) {
  const standIn = /** @type {Record<string, string>} */ (STAND_INS)[specifier];
  return standIn ? { url: new URL(standIn, import.meta.url).href, shortCircuit: true } : nextResolve(specifier, context);
}
