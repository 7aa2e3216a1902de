import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { prepare, skipReason, startRelay } from './relay.js';
import { validatePerfResult } from './schema.js';

// relay-ws.js itself, unchanged, with k6's modules mapped to Node stand-ins (test/k6-shim):
// what it proves is the script's own logic (schedule, routing by session id, ACK, accounting
// and the result file) against a real relay; k6's runtime is not under test.
describe('relay-ws.js against a real relay', { skip: skipReason }, () => {
  /** @type {Awaited<ReturnType<typeof startRelay>>} */
  let relay;
  before(async () => {
    relay = await startRelay();
  });
  after(() => relay?.stop());

  it('delivers every measured message, opens it and writes a valid perf-result', { timeout: 120000 }, (t) => {
    const folder = mkdtempSync(join(tmpdir(), 'k6-script-'));
    const dataPath = join(folder, 'users.json');
    const resultPath = join(folder, 'result.json');
    prepare(4, 'ring', relay.secret, dataPath);

    const run = spawnSync(process.execPath, ['--import', './k6-shim/register.js', 'k6-shim/run-script.js'], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      env: { ...process.env, RELAY_URL: relay.wsUrl, DATA: dataPath, RATE: '200', DURATION: '3s', WARMUP: '1s', DRAIN: '2s', START_DELAY: '1s', RESULT_OUT: resultPath },
      encoding: 'utf8',
      timeout: 110000,
    });
    assert.equal(run.status, 0, run.stderr);

    /** @type {{ metrics: Record<string, any>, scenario: { connections: number } }} */
    const result = JSON.parse(readFileSync(resultPath, 'utf8'));
    assert.ok(validatePerfResult(result), JSON.stringify(validatePerfResult.errors));
    const m = result.metrics;
    t.diagnostic(`relay-ws.js under Node: sent ${m.sent}, delivered ${m.delivered}, end-to-end p50 ${m.end_to_end_us.p50} us, p99 ${m.end_to_end_us.p99} us`);
    assert.ok(m.sent >= 590 && m.sent <= 610, `sent ${m.sent} of 600 scheduled in the measured 3 s`);
    assert.equal(m.accepted, m.sent);
    assert.equal(m.delivered, m.sent);
    assert.equal(m.rejected, 0);
    assert.equal(m.lost, 0);
    assert.equal(m.end_to_end_us.count, m.delivered);
    assert.equal(result.scenario.connections, 4);
  });
});
