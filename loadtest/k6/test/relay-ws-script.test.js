import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { STDOUT_BEGIN, STDOUT_END } from '../lib/summary.js';
import { ExitCode } from './k6-shim/thresholds.js';
import { perfDll, prepare, skipReason, startRelay } from './relay.js';
import { startProxy } from './relay-proxy.js';
import { QUICK, runFolder, runScript, scheduledCount } from './script-run.js';
import { validatePerfResult } from './schema.js';

// relay-ws.js itself, unchanged, with k6's modules mapped to Node stand-ins (test/k6-shim) and
// run the way `k6 run` runs it, thresholds and exit code included: what it proves is the
// script's own logic (schedule, loss accounting, tags, the result file) against a real relay.
describe('relay-ws.js against a real relay, judged as k6 judges it', { skip: skipReason }, () => {
  /** @type {Awaited<ReturnType<typeof startRelay>>} */
  let relay;
  before(async () => {
    relay = await startRelay();
  });
  after(() => relay?.stop());

  /** @param {number} users */
  const data = (users) => {
    const path = join(runFolder(), 'users.json');
    prepare(users, 'ring', relay.secret, path);
    return path;
  };

  it('delivers every measured message, passes, and writes a whole result whatever trend stats k6 keeps', { timeout: 120000 }, async (t) => {
    const proxy = await startProxy(relay.wsUrl);
    const dataPath = data(4);
    // --summary-trend-stats=avg: k6's summary then has no count and no percentile at all.
    const run = await runScript({ ...QUICK, RELAY_URL: proxy.wsUrl, DATA: dataPath, K6_SUMMARY_TREND_STATS: 'avg', RESULT_STDOUT: '1' });
    proxy.stop();

    assert.equal(run.status, ExitCode.OK, run.stderr + run.stdout);
    assert.ok(validatePerfResult(run.result), JSON.stringify(validatePerfResult.errors));
    const m = run.result.metrics;
    t.diagnostic(`sent ${m.sent}, delivered ${m.delivered}, end-to-end p50 ${m.end_to_end_us.p50} us, p99 ${m.end_to_end_us.p99} us`);
    assert.equal(m.sent, await scheduledCount({ rate: 200, vus: 4, warmupS: 1, durationS: 3 }));
    assert.equal(m.accepted, m.sent);
    assert.equal(m.delivered, m.sent);
    assert.deepEqual([m.rejected, m.lost, m.unsent], [0, 0, 0]);
    for (const field of ['seal_us', 'forward_us', 'open_us', 'end_to_end_us', 'generator_lag_us']) {
      assert.equal(m[field].histogram.reduce((/** @type {number} */ a, /** @type {number[]} */ p) => a + p[1], 0), m[field].count, field);
    }
    assert.equal(m.end_to_end_us.count, m.delivered);
    assert.equal(run.result.scenario.connections, 4);
    assert.match(run.stdout, /every threshold passed/);
    assert.doesNotMatch(run.stdout, /\u001b\[/, 'no colour codes in a log that is not a terminal');
    // RESULT_STDOUT=1: the same result between markers, for runners whose files die with their pod.
    const marked = run.stdout.slice(run.stdout.indexOf(STDOUT_BEGIN) + STDOUT_BEGIN.length, run.stdout.indexOf(STDOUT_END));
    assert.deepEqual(JSON.parse(marked), run.result);
    // ...which perf k6 extract, the C# side of those markers, reads back.
    const folder = runFolder();
    writeFileSync(join(folder, 'runner.log'), run.stdout);
    const extract = spawnSync('dotnet', [/** @type {string} */ (perfDll), 'k6', 'extract', join(folder, 'runner.log'), '--out', join(folder, 'extracted')], { encoding: 'utf8' });
    assert.equal(extract.status, 0, extract.stderr);
    assert.equal(JSON.parse(readFileSync(join(folder, 'extracted', 'k6-result-1.json'), 'utf8')).metrics.delivered, m.delivered);
  });

  it('puts the token in no tag, no URL and no output: it travels in the Authorization header', { timeout: 120000 }, async () => {
    const proxy = await startProxy(relay.wsUrl);
    const dataPath = data(2);
    const tokens = JSON.parse(readFileSync(dataPath, 'utf8')).users.map((/** @type {{ token: string }} */ u) => u.token);
    const run = await runScript({ ...QUICK, RELAY_URL: proxy.wsUrl, DATA: dataPath, RESULT_STDOUT: '1' });
    proxy.stop();

    assert.equal(run.status, ExitCode.OK, run.stderr);
    assert.equal(proxy.handshakes.length, 2);
    for (const handshake of proxy.handshakes) {
      assert.equal(handshake.url, '/ws');
      assert.ok(tokens.includes(handshake.headers.authorization?.replace(/^Bearer /, '')), 'the relay authenticated each VU by its header');
    }
    assert.ok(run.tags.includes('ws_sessions name=relay-ws') && run.tags.includes('ws_msgs_sent url=relay-ws'), run.tags.join('\n'));
    for (const token of tokens) {
      for (const [what, text] of [['a tag', run.tags.join('\n')], ['stdout', run.stdout], ['stderr', run.stderr], ['the result', JSON.stringify(run.result)]]) {
        assert.ok(!text.includes(token) && !text.includes(encodeURIComponent(token)), `the token is in ${what}`);
      }
    }
  });

  it('fails with exit 99 on messages_lost when the relay drops one message', { timeout: 120000 }, async () => {
    let deliveries = 0;
    // The 300th DELIVER: past the 1 s warm-up's 200 messages, inside the measured window.
    const proxy = await startProxy(relay.wsUrl, (frame, toClient) => toClient && frame.type === 'deliver' && ++deliveries === 300);
    const run = await runScript({ ...QUICK, RELAY_URL: proxy.wsUrl, DATA: data(4) });
    proxy.stop();

    assert.equal(proxy.dropped(), 1);
    assert.equal(run.status, ExitCode.THRESHOLDS_FAILED, run.stderr);
    assert.match(run.stdout, /FAILED: .*messages_lost: count<=0 failed \(count 1\)/);
    assert.match(run.stderr, /1 measured messages from user \d never arrived \(by its tally\); missing: \d+/);
    const m = run.result.metrics;
    assert.equal(m.lost, 1);
    assert.equal(m.delivered, m.sent - 1);
    assert.equal(m.unsent, 0);
  });

  it('fails with exit 99 on schedule_lag when its event loop blocks, and still charges the wait to latency (open loop)', { timeout: 120000 }, async (t) => {
    // 1.5 s stuck half a second into the measured window: every message due meanwhile goes late.
    const run = await runScript({ ...QUICK, LAG_P99_MS: '250', DATA: data(4), RELAY_URL: relay.wsUrl, SHIM_BLOCK_AFTER_MS: '2500', SHIM_BLOCK_MS: '1500' });

    assert.equal(run.status, ExitCode.THRESHOLDS_FAILED, run.stderr);
    assert.match(run.stdout, /FAILED: .*schedule_lag: p\(99\)<250 failed/);
    const m = run.result.metrics;
    t.diagnostic(`lag p99 ${m.generator_lag_us.p99} us, end-to-end max ${m.end_to_end_us.max} us`);
    // No coordinated omission: nothing skipped, the late ones measured from when they were due.
    assert.equal(m.sent, await scheduledCount({ rate: 200, vus: 4, warmupS: 1, durationS: 3 }));
    assert.deepEqual([m.lost, m.unsent], [0, 0]);
    assert.ok(m.generator_lag_us.max >= 1_200_000, `lag max ${m.generator_lag_us.max} us`);
    assert.ok(m.end_to_end_us.max >= 1_200_000, `end-to-end max ${m.end_to_end_us.max} us`);
  });

  it('stops early with exit 99 on connection_errors when the relay dies mid-run, and says what was never sent', { timeout: 120000 }, async () => {
    const doomed = await startRelay();
    const dataPath = join(runFolder(), 'users.json');
    prepare(4, 'ring', doomed.secret, dataPath);
    // A 30 s window, killed 2 s into it.
    const run = await runScript({ ...QUICK, DURATION: '30s', RELAY_URL: doomed.wsUrl, DATA: dataPath }, () => setTimeout(() => doomed.kill(), 4000));

    assert.equal(run.status, ExitCode.THRESHOLDS_FAILED, run.stderr);
    assert.ok(run.elapsedMs < 20000, `ran ${run.elapsedMs} ms of a 30 s window`);
    assert.match(run.stdout, /connection_errors: count==0 failed/);
    const m = run.result.metrics;
    assert.ok(m.unsent > 0 && m.sent + m.unsent === (await scheduledCount({ rate: 200, vus: 4, warmupS: 1, durationS: 30 })), `sent ${m.sent}, unsent ${m.unsent}`);
    assert.ok(validatePerfResult(run.result), JSON.stringify(validatePerfResult.errors));
  });

  it('refuses k6 run --duration, which would replace its scenario, with exit 108', { timeout: 60000 }, async () => {
    const run = await runScript({ ...QUICK, RELAY_URL: relay.wsUrl, DATA: data(2), K6_DURATION: '10s' });

    assert.equal(run.status, ExitCode.SCRIPT_ABORTED);
    assert.match(run.stderr, /give -e DURATION=\.\.\. and -e VUS=\.\.\., not --duration/);
  });

  it('runs as two shards on slices of the users whose results perf merge combines into the whole', { timeout: 180000 }, async () => {
    // A ring of 4 split in two: users 1→2 and 3→0 cross between the processes.
    const dataPath = data(4);
    const folder = runFolder();
    const shard = (/** @type {number} */ index) => runScript({ ...QUICK, RATE: '100', VUS: '2', USER_OFFSET: String(2 * index), SHARD: `${index}/2`, RELAY_URL: relay.wsUrl, DATA: dataPath, RESULT_OUT: join(folder, `runner-${index}.json`) });
    const [a, b] = await Promise.all([shard(0), shard(1)]);

    assert.equal(a.status, ExitCode.OK, a.stderr);
    assert.equal(b.status, ExitCode.OK, b.stderr);
    const merged = join(folder, 'merged');
    const merge = spawnSync('dotnet', [/** @type {string} */ (perfDll), 'merge', a.resultPath, b.resultPath, '--out', merged], { encoding: 'utf8' });
    assert.equal(merge.status, 0, merge.stderr);
    const whole = JSON.parse(readFileSync(join(merged, 'result.json'), 'utf8'));
    assert.ok(validatePerfResult(whole), JSON.stringify(validatePerfResult.errors));
    assert.equal(whole.metrics.sent, a.result.metrics.sent + b.result.metrics.sent);
    assert.equal(whole.metrics.delivered, whole.metrics.sent, 'every message, across the processes too, delivered and counted once');
    assert.equal(whole.metrics.lost, 0);
    assert.equal(whole.metrics.end_to_end_us.count, whole.metrics.delivered);
    assert.equal(whole.scenario.connections, 4);
    assert.deepEqual(whole.shards.map((/** @type {{ index: number }} */ s) => s.index), [0, 1]);
    const again = spawnSync('dotnet', [/** @type {string} */ (perfDll), 'merge', a.resultPath, a.resultPath, '--out', join(folder, 'twice')], { encoding: 'utf8' });
    assert.equal(again.status, 2);
    assert.match(again.stderr, /shard 0 of 2 counted twice/);
  });
});
