import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReceivedFrom, SentTo } from '../lib/ledger.js';
import { readPayload, tallyPayload } from '../lib/payload.js';
import { intendedOffsetMs, isMeasured, scheduleOf } from '../lib/schedule.js';

describe('the schedule and the loss ledger', () => {
  it('measures exactly the messages whose intended time falls in the window, from the settings alone', () => {
    for (const [rate, vus, warmupS, durationS] of [[200, 4, 1, 3], [7, 3, 0.5, 2], [1000, 400, 5, 30], [333.3, 7, 0, 1]]) {
      const settings = { rate, vus, warmupS, durationS };
      let total = 0;
      for (let v = 0; v < vus; v++) {
        const s = scheduleOf(settings, v);
        for (let k = 0; k < s.endMeasured + 3; k++) {
          const t = intendedOffsetMs(s, k);
          assert.equal(isMeasured(s, k), t >= warmupS * 1000 && t < (warmupS + durationS) * 1000, `rate ${rate} vu ${v} k ${k}`);
        }
        total += s.endMeasured - s.firstMeasured;
      }
      assert.ok(Math.abs(total - rate * durationS) <= vus, `${total} measured of ${rate * durationS}`);
    }
  });

  it('counts lost as sent − rejected − delivered from the sender\'s tally, and names the gaps', () => {
    const from = new ReceivedFrom(3, { firstMeasured: 10, endMeasured: 20 });
    /** @type {number[]} */
    const recorded = [];
    for (const k of [8, 10, 11, 12, 15, 16, 19, 12]) from.take(k, [k], (m) => recorded.push(m[0]));
    assert.deepEqual(recorded, [10, 11, 12, 15, 16, 19], 'measured once each, warm-up and repeats left out');
    // Without the tally: every owed message that did not arrive.
    assert.deepEqual(from.lost(), { lost: 4, basis: 'schedule' });
    // The sender sent 9 of its 10 and the relay rejected one.
    from.settle({ sent: 9, rejected: 1, firstMeasured: 10, endMeasured: 20 }, () => assert.fail('nothing was held'));
    assert.deepEqual(from.lost(), { lost: 2, basis: 'tally' });
    assert.deepEqual(from.gaps(10), ['13-14', '17-18']);
  });

  it('holds the messages of a sender another process plays until its tally says which were measured', () => {
    const from = new ReceivedFrom(1, null);
    /** @type {number[]} */
    const recorded = [];
    for (const k of [3, 4, 5, 6]) from.take(k, [k], (m) => recorded.push(m[0]));
    assert.equal(recorded.length, 0);
    assert.equal(from.lost(), null);
    from.settle({ sent: 3, rejected: 0, firstMeasured: 4, endMeasured: 7 }, (m) => recorded.push(m[0]));
    assert.deepEqual(recorded, [4, 5, 6]);
    assert.deepEqual(from.lost(), { lost: 0, basis: 'tally' });
  });

  it('keeps the sender\'s side: unsent, rejected, and the tally it owes', () => {
    const sent = new SentTo({ firstMeasured: 0, endMeasured: 5 });
    [0, 1, 2].forEach((k) => sent.markSent(k));
    sent.markAnswered(0, false);
    sent.markAnswered(1, true);
    sent.markAnswered(1, true);
    assert.equal(sent.unsent(), 2);
    assert.deepEqual([...sent.unanswered], [2]);
    assert.deepEqual(sent.tally(), { sent: 3, rejected: 1, firstMeasured: 0, endMeasured: 5 });
    assert.deepEqual(readPayload(tallyPayload(sent.tally())), { tally: sent.tally() });
  });
});
