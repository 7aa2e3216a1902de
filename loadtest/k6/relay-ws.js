// k6 load on the relay's WebSocket gateway with the same workload as `perf load`: each VU is one
// identity with established E2E sessions (from `perf k6 prepare`), seals every message (HMAC-SHA256
// chain step and AES-256-GCM through WebCrypto), sends SEND frames, opens what it receives and
// ACKs. Requires k6 >= 1.6.0 (the stable `k6/websockets` module; global `crypto` since 1.0).
//
// Why not the constant-arrival-rate executor: k6 cannot keep a WebSocket open across iterations
// (grafana/k6#4769, an iteration ends only when its sockets close), so one iteration per
// message would mean one connection per message, which is not how a messenger works. Each VU
// instead runs ONE long iteration on one connection and keeps its share of RATE itself,
// open-loop (lib/schedule.js): message k has a fixed intended time, a late timer sends every
// message that is due at once, and latency is measured from the intended time (no coordinated
// omission). How late the sender ran is schedule_lag, gated like k6's dropped_iterations.
//
// Loss (lib/ledger.js): a receiver knows from the schedule which messages each sender owed it,
// the payload's sequence number tells which arrived, and each sender's final tally message says
// how many it sent and how many the relay rejected: messages_lost = sent − rejected − delivered,
// counted at the receiver, failing the run by default.

import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import { clearTimeout, setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import { textSummary } from 'https://jslib.k6.io/k6-summary/0.1.0/index.js';
import { bytesEqual, fromBase64, idFromNumber } from './lib/bytes.js';
import { E2eSession, envelopeSessionId } from './lib/envelope.js';
import { decodeFrame, encodeFrameBuffer } from './lib/frames.js';
import { HISTOGRAMS, LocalHistogram, bucketThresholds, counterName, doublingsFor, isBucketMetric } from './lib/histogram.js';
import { ReceivedFrom, SentTo } from './lib/ledger.js';
import { createPayload, readPayload, tallyPayload, writePayload } from './lib/payload.js';
import { intendedOffsetMs, isMeasured, scheduleOf } from './lib/schedule.js';
import { readSettings } from './lib/settings.js';
import { STDOUT_BEGIN, STDOUT_END, buildPerfResult, environmentFromEnv, failedThresholds, formatResult, isMachineReadable, shardOf } from './lib/summary.js';
import { usersOf } from './lib/users.js';

const users = new SharedArray('relay-users', () => usersOf(open(__ENV.DATA ?? 'data/users.json')));
const settings = readSettings(__ENV, users.length);
const maxDurationS = Math.ceil(settings.startDelayS + settings.warmupS + settings.durationS + settings.drainS + 30);
const doublings = doublingsFor(maxDurationS * 1e6);

const trends = Object.fromEntries(HISTOGRAMS.map((h) => [h.trend, new Trend(h.trend, true)]));
const bucketCounters = HISTOGRAMS.map((h) => Array.from({ length: doublings }, (_, d) => new Counter(counterName(h.prefix, d))));
const messagesSent = new Counter('messages_sent');
const messagesAccepted = new Counter('messages_accepted');
const messagesDelivered = new Counter('messages_delivered');
const messagesRejected = new Counter('messages_rejected');
const messagesLost = new Counter('messages_lost');
const messagesUnsent = new Counter('messages_unsent');
const messagesOpenFailed = new Counter('messages_open_failed');
const connectionErrors = new Counter('connection_errors');

export const options = {
  scenarios: {
    messages: {
      executor: 'per-vu-iterations',
      vus: settings.vus,
      iterations: 1,
      maxDuration: `${maxDurationS}s`,
    },
  },
  thresholds: { ...settings.thresholds, ...bucketThresholds(doublings) },
  // What the text summary shows; the result file reads none of it (lib/summary.js).
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(99)', 'p(99.9)'],
};

/** One common start for every VU's schedule, after all sockets have had time to open; this runner's shard. */
export function setup() {
  const testOptions = exec.test.options;
  if (!testOptions.scenarios || !('messages' in testOptions.scenarios)) {
    // k6 run --duration/--vus/--iterations replace the script's scenarios with their own.
    exec.test.abort('relay-ws.js keeps its own schedule: give -e DURATION=... and -e VUS=..., not --duration, --vus or --iterations');
  }
  const startMs = Date.now() + settings.startDelayS * 1000;
  return {
    startMs,
    startedAt: new Date(startMs + settings.warmupS * 1000).toISOString(),
    doublings,
    shard: shardOf(settings.shard, /** @type {any} */ (testOptions)),
  };
}

/** @param {{ startMs: number }} shared */
export default function (shared) {
  const vuIndex = exec.vu.idInTest - 1;
  const user = users[settings.userOffset + vuIndex];
  if (!user) {
    // k6 numbers VUs across instances, with possible gaps: never fall back to another VU's identity.
    throw new Error(`VU ${vuIndex + 1} has no user: the data file holds ${users.length} (USER_OFFSET ${settings.userOffset}); prepare more users`);
  }
  const who = `VU ${vuIndex + 1} (user ${user.index})`;
  const recipientIdentity = fromBase64(users[user.sends_to].identity);
  /** @type {Map<string, { session: E2eSession, from: ReceivedFrom | null }>} */
  const sessions = new Map();
  /** @type {ReceivedFrom[]} */
  const senders = [];
  let sending = /** @type {E2eSession | undefined} */ (undefined);
  const all = user.sessions.map((state) => new E2eSession(state));
  for (const session of all) {
    // One session per pair runs both ways; two with the same peer (a ring of two) split: the initiator's sends.
    const shared = all.filter((other) => bytesEqual(other.remoteIdentity, session.remoteIdentity)).length === 1;
    let from = null;
    for (const s of user.sent_by) {
      if ((shared || !session.isInitiator) && bytesEqual(session.remoteIdentity, fromBase64(users[s].identity))) {
        // A sender this test plays has a known schedule; one another process plays has only its tally.
        const played = s >= settings.userOffset && s < settings.userOffset + settings.vus;
        from = new ReceivedFrom(s, played ? scheduleOf(settings, s - settings.userOffset) : null);
        senders.push(from);
      }
    }
    sessions.set(session.sessionIdHex, { session, from });
    if ((shared || session.isInitiator) && bytesEqual(session.remoteIdentity, recipientIdentity)) sending = session;
  }
  if (!sending) throw new Error(`user ${user.index} has no session with its recipient ${user.sends_to}`);
  const sealer = sending;

  const schedule = scheduleOf(settings, vuIndex);
  const sentTo = new SentTo(schedule);
  const intendedOf = (/** @type {number} */ k) => shared.startMs + intendedOffsetMs(schedule, k);
  const windowStartMs = shared.startMs + settings.warmupS * 1000;
  const windowEndMs = windowStartMs + settings.durationS * 1000;
  const closeAtMs = windowEndMs + settings.drainS * 1000;
  const histograms = HISTOGRAMS.map(() => new LocalHistogram(doublings));
  const record = (/** @type {number} */ which, /** @type {number} */ ms) => {
    trends[HISTOGRAMS[which].trend].add(ms);
    histograms[which].record(ms * 1000);
  };
  const [SEAL, FORWARD, OPEN, END_TO_END, LAG] = [0, 1, 2, 3, 4];
  const recordDelivered = (/** @type {number[]} */ [openMs, forwardMs, endToEndMs]) => {
    record(OPEN, openMs);
    record(FORWARD, forwardMs);
    record(END_TO_END, endToEndMs);
    messagesDelivered.add(1);
  };
  const payload = createPayload(settings.size);
  /** @type {Set<string>} */
  const seenRelayIds = new Set();
  let next = 0;
  let sealing = 0;
  let finished = false;
  /** @type {number | undefined} */
  let timer;

  // The token goes in a header, never the URL: k6 tags every ws_* sample with the URL (or the
  // `name` tag when set), and a tag reaches every output. The fixed name also keeps one time
  // series per metric instead of one per VU.
  const socket = new WebSocket(settings.relayUrl, null, { headers: { Authorization: `Bearer ${user.token}` }, tags: { name: 'relay-ws' } });
  socket.binaryType = 'arraybuffer';
  const isOpen = () => socket.readyState === WebSocket.OPEN;

  const send = (/** @type {number} */ k) => {
    const intendedMs = intendedOf(k);
    const sealStartMs = Date.now();
    const measured = isMeasured(schedule, k);
    if (measured) record(LAG, Math.max(0, sealStartMs - intendedMs));
    writePayload(payload, k, intendedMs, sealStartMs);
    sealing++;
    sealer.seal(payload.slice()).finally(() => sealing--).then((envelope) => {
      if (!isOpen()) return; // counted as unsent when the connection ends
      socket.send(encodeFrameBuffer({ type: 'send', clientMessageId: idFromNumber(k), recipient: recipientIdentity, envelope }));
      if (measured) {
        record(SEAL, Date.now() - sealStartMs);
        messagesSent.add(1);
        sentTo.markSent(k);
      }
    }).catch((error) => {
      connectionErrors.add(1);
      console.error(`${who}: message ${k} not sent: ${error instanceof Error ? error.message : error}`);
    });
  };

  // After the last measured message: wait (up to half the drain) for its seal and the relay's
  // answers, then tell the recipient how many were sent and rejected.
  const sendTally = () => {
    if (finished || !isOpen()) return;
    if ((sealing > 0 || sentTo.unanswered.size > 0) && Date.now() < windowEndMs + (settings.drainS * 1000) / 2) {
      timer = setTimeout(sendTally, 50);
      return;
    }
    sealer.seal(tallyPayload(sentTo.tally())).then((envelope) => {
      if (isOpen()) socket.send(encodeFrameBuffer({ type: 'send', clientMessageId: idFromNumber(schedule.endMeasured), recipient: recipientIdentity, envelope }));
    }).catch((error) => console.error(`${who}: tally not sent: ${error instanceof Error ? error.message : error}`));
    timer = setTimeout(() => socket.close(), Math.max(0, closeAtMs - Date.now()));
  };

  const tick = () => {
    const now = Date.now();
    while (next < schedule.endMeasured && intendedOf(next) <= now) {
      send(next++);
    }
    timer = next < schedule.endMeasured ? setTimeout(tick, Math.max(0, intendedOf(next) - Date.now())) : setTimeout(sendTally, 0);
  };

  // Once, however the connection ends: what this VU owed and never sent, what its senders owed
  // it and never arrived, and its histograms into the k6 Counters handleSummary reads.
  const finish = () => {
    if (finished) return;
    finished = true;
    if (timer !== undefined) clearTimeout(timer);
    messagesUnsent.add(sentTo.unsent());
    /** @type {string[]} */
    const notes = [];
    let lost = 0;
    for (const from of senders) {
      // No tally from a sender another process plays: fall back to this runner's window.
      for (const { measurements } of from.held) if (measurements[3] >= windowStartMs && measurements[3] < windowEndMs) recordDelivered(measurements);
      from.held = [];
      const account = from.lost();
      if (account === null) {
        notes.push(`no tally from user ${from.sender}, which this test does not play: its messages are not accounted here`);
      } else if (account.lost > 0) {
        lost += account.lost;
        notes.push(`${account.lost} measured messages from user ${from.sender} never arrived (by its ${account.basis}); missing: ${from.gaps(10).join(', ')}`);
      }
    }
    messagesLost.add(lost);
    histograms.forEach((h, i) => h.flush(bucketCounters[i]));
    for (const note of notes) console.warn(`${who}: ${note}`);
  };

  const receive = async (/** @type {Uint8Array} */ bytes, /** @type {number} */ receivedMs) => {
    const frame = decodeFrame(bytes);
    switch (frame.type) {
      case 'deliver': {
        // ACK even what does not open: the relay redelivers until ACKed; a repeat is dropped by id.
        if (isOpen()) socket.send(encodeFrameBuffer({ type: 'ack', relayMessageId: frame.relayMessageId }));
        if (seenRelayIds.has(frame.relayMessageId)) return;
        seenRelayIds.add(frame.relayMessageId);
        const entry = sessions.get(envelopeSessionId(frame.envelope) ?? '');
        if (!entry) {
          messagesOpenFailed.add(1);
          return;
        }
        const openStart = Date.now();
        let plaintext;
        try {
          plaintext = await entry.session.open(frame.envelope);
        } catch (error) {
          messagesOpenFailed.add(1);
          console.warn(`${who}: message ${frame.relayMessageId} did not open: ${error instanceof Error ? error.message : error}`);
          return;
        }
        const openMs = Date.now() - openStart;
        const header = readPayload(plaintext);
        if (!header || !entry.from) return;
        if (header.tally) {
          entry.from.settle(header.tally, recordDelivered);
          return;
        }
        // Measured or not by the sender's own schedule (or its tally), never by this runner's clock.
        entry.from.take(header.sequence, [openMs, Math.max(0, receivedMs - header.sealStartMs), Math.max(0, receivedMs - header.intendedMs), header.intendedMs], recordDelivered);
        return;
      }
      case 'accepted':
      case 'rejected': {
        const k = parseInt(frame.clientMessageId, 16);
        if (!isMeasured(schedule, k)) return;
        (frame.type === 'accepted' ? messagesAccepted : messagesRejected).add(1);
        sentTo.markAnswered(k, frame.type === 'rejected');
        return;
      }
      case 'error':
        connectionErrors.add(1);
        console.error(`${who}: the relay sent ERROR ${frame.code}: ${frame.reason}`);
        return;
      default:
        return; // PONG: nothing to do
    }
  };

  socket.onopen = () => {
    timer = setTimeout(tick, Math.max(0, intendedOf(0) - Date.now()));
  };
  socket.onmessage = (event) => {
    if (event && event.data instanceof ArrayBuffer) {
      // k6 stamps the event when the frame came off the socket (fractional ms): the arrival,
      // before any wait for this VU's event loop.
      const receivedMs = typeof event.timestamp === 'number' ? event.timestamp : Date.now();
      receive(new Uint8Array(event.data), receivedMs).catch((error) => {
        connectionErrors.add(1);
        console.error(`${who}: ${error instanceof Error ? error.message : error}`);
      });
    }
  };
  socket.onerror = (event) => {
    connectionErrors.add(1);
    console.error(`${who}: WebSocket error: ${event?.error ?? 'unknown'}`);
  };
  socket.onclose = () => {
    if (Date.now() < closeAtMs - 1000 && !finished) console.warn(`${who}: the connection closed ${((closeAtMs - Date.now()) / 1000).toFixed(1)} s before the run's end`);
    finish();
  };
}

/**
 * k6's text summary (with the failed thresholds named) on stdout, and the perf-result/1 file
 * (RESULT_OUT; with RESULT_STDOUT=1 also on stdout between markers, for runners whose files die with their pod).
 * @param {import('./lib/summary.js').SummaryData & { setup_data?: import('./lib/summary.js').RunFacts }} summary
 */
export function handleSummary(summary) {
  if (isMachineReadable(summary)) {
    return { stdout: `relay-ws.js: no ${settings.resultOut} written: --new-machine-readable-summary gives handleSummary neither setup data nor the histogram buckets; run without it\n` };
  }
  // The histogram transport's thousands of always-passing thresholds are not for reading.
  const shown = { ...summary, metrics: Object.fromEntries(Object.entries(summary.metrics).filter(([name]) => !isBucketMetric(name))) };
  const failed = failedThresholds(shown);
  let stdout = textSummary(shown, { indent: ' ', enableColors: !summary.options?.noColor && summary.state?.isStdOutTTY === true });
  stdout += failed.length ? `\n relay-ws.js FAILED: ${failed.join('; ')}\n` : '\n relay-ws.js: every threshold passed\n';
  if (!summary.setup_data) {
    return { stdout: `${stdout} no ${settings.resultOut} written: setup() did not run (--no-setup)\n` };
  }
  const result = formatResult(buildPerfResult(summary, settings, summary.setup_data, environmentFromEnv(__ENV)));
  if (settings.resultStdout) stdout += `${STDOUT_BEGIN}\n${result}\n${STDOUT_END}\n`;
  return { stdout, [settings.resultOut]: result };
}
