// jslib k6-summary stand-in: the text summary is k6's business; the runner checks the JSON.
export function textSummary() {
  return '';
}
