// Loss, counted where it can be known exactly: at the receiver. A receiver knows from the
// deterministic schedule which sequence numbers each sender owed it in the measured window, and
// the payload tells it which arrived. What only the sender knows (how many it actually sent, how
// many the relay REJECTED) arrives at the end in one sealed tally message. So lost = sent −
// rejected − delivered, the same meaning as perf load's `lost`, computed by whichever runner holds
// the receiver: its count is exact on its own and adds up across runners.

/** @typedef {{ sent: number, rejected: number, firstMeasured: number, endMeasured: number }} Tally */

/** What one receiver got from one sender. */
export class ReceivedFrom {
  /**
   * @param {number} sender the sender's user index
   * @param {{ firstMeasured: number, endMeasured: number } | null} schedule the sender's measured range, when this test plays the sender
   */
  constructor(sender, schedule) {
    this.sender = sender;
    this.schedule = schedule;
    /** @type {Set<number>} */
    this.delivered = new Set();
    /** @type {Tally | null} */
    this.tally = null;
    /** @type {{ k: number, measurements: number[] }[]} messages from a sender of unknown schedule, held until its tally says which were measured */
    this.held = [];
  }

  /**
   * Takes a message's measurements: recorded now when it is known to be measured, dropped when
   * known not to be, held when only the tally can tell (a sender another process plays).
   * @param {number} k
   * @param {number[]} measurements
   * @param {(measurements: number[]) => void} recordMeasured
   */
  take(k, measurements, recordMeasured) {
    if (!this.deliver(k)) return;
    if (this.schedule === null && this.tally === null) this.held.push({ k, measurements });
    else if (this.measured(k)) recordMeasured(measurements);
  }

  /**
   * The sender's tally arrived: what was held is sorted by its measured range.
   * @param {Tally} tally
   * @param {(measurements: number[]) => void} recordMeasured
   */
  settle(tally, recordMeasured) {
    this.tally = tally;
    for (const { k, measurements } of this.held) if (this.measured(k)) recordMeasured(measurements);
    this.held = [];
  }

  /**
   * Whether sequence number `k` is one the sender measured.
   * @param {number} k
   */
  measured(k) {
    const range = this.tally ?? this.schedule;
    return range !== null && k >= range.firstMeasured && k < range.endMeasured;
  }

  /**
   * Notes a measured message opened; false when it was seen before.
   * @param {number} k
   */
  deliver(k) {
    if (this.delivered.has(k)) return false;
    this.delivered.add(k);
    return true;
  }

  /**
   * Messages lost on the way, and how that was known; null when neither a tally nor the schedule says what was owed.
   * @returns {{ lost: number, basis: 'tally' | 'schedule' } | null}
   */
  lost() {
    if (this.tally) {
      return { lost: Math.max(0, this.tally.sent - this.tally.rejected - this.deliveredIn(this.tally)), basis: 'tally' };
    }
    if (this.schedule) {
      // No tally: the sender died or its tally was lost too. Every owed message that did not
      // arrive counts as lost (rejected or unsent ones included: the receiver cannot tell).
      return { lost: Math.max(0, this.schedule.endMeasured - this.schedule.firstMeasured - this.deliveredIn(this.schedule)), basis: 'schedule' };
    }
    return null;
  }

  /**
   * The measured sequence numbers that never arrived, as ranges "a-b", at most `limit` of them.
   * @param {number} limit
   */
  gaps(limit) {
    const range = this.tally ?? this.schedule;
    if (!range) return [];
    /** @type {string[]} */
    const gaps = [];
    for (let k = range.firstMeasured; k < range.endMeasured && gaps.length < limit; k++) {
      if (this.delivered.has(k)) continue;
      let end = k;
      while (end + 1 < range.endMeasured && !this.delivered.has(end + 1)) end++;
      gaps.push(end === k ? `${k}` : `${k}-${end}`);
      k = end;
    }
    return gaps;
  }

  /** @param {{ firstMeasured: number, endMeasured: number }} range */
  deliveredIn(range) {
    let n = 0;
    for (const k of this.delivered) if (k >= range.firstMeasured && k < range.endMeasured) n++;
    return n;
  }
}

/** What one sender did with its measured messages: the tally it owes its recipient. */
export class SentTo {
  /** @param {{ firstMeasured: number, endMeasured: number }} schedule */
  constructor(schedule) {
    this.schedule = schedule;
    this.sent = 0;
    this.rejected = 0;
    /** @type {Set<number>} measured messages sent and not yet answered */
    this.unanswered = new Set();
  }

  /** @param {number} k */
  markSent(k) {
    this.sent++;
    this.unanswered.add(k);
  }

  /**
   * @param {number} k
   * @param {boolean} rejected
   */
  markAnswered(k, rejected) {
    if (!this.unanswered.delete(k)) return;
    if (rejected) this.rejected++;
  }

  /** Measured messages the schedule owed and this sender never sent. */
  unsent() {
    return this.schedule.endMeasured - this.schedule.firstMeasured - this.sent;
  }

  /** @returns {Tally} */
  tally() {
    return { sent: this.sent, rejected: this.rejected, firstMeasured: this.schedule.firstMeasured, endMeasured: this.schedule.endMeasured };
  }
}
