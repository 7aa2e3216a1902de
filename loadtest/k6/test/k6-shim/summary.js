// jslib k6-summary stand-in: a plain rendering of what k6's text summary shows (each metric's
// values and each threshold with ✓ or ✗), in colour only when asked, so tests can read the
// reason a run failed and check that no colour codes reach a log.

/**
 * @param {{ metrics: Record<string, { type: string, values: Record<string, number>, thresholds?: Record<string, { ok: boolean }> }> }} data
 * @param {{ indent?: string, enableColors?: boolean }} [options]
 */
export function textSummary(data, options = {}) {
  const indent = options.indent ?? ' ';
  const paint = (/** @type {string} */ text, /** @type {number} */ code) => (options.enableColors ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines = [];
  for (const name of Object.keys(data.metrics).sort()) {
    const metric = data.metrics[name];
    const values = Object.entries(metric.values).map(([k, v]) => `${k}=${Math.round(v * 1000) / 1000}`).join(' ');
    lines.push(`${indent}${name}: ${values}`);
    for (const [expression, verdict] of Object.entries(metric.thresholds ?? {})) {
      lines.push(`${indent}${indent}${verdict.ok ? paint('✓', 32) : paint('✗', 31)} '${expression}'`);
    }
  }
  return lines.join('\n');
}
