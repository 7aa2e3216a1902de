// k6 load on the relay's WebSocket gateway with the same workload as `perf load`: each VU is one
// identity with established E2E sessions (from `perf k6 prepare`), seals every message (HMAC-SHA256
// chain step and AES-256-GCM through WebCrypto), sends SEND frames, opens what it receives and
// ACKs. Requires k6 >= 1.6.0 (the stable `k6/websockets` module; global `crypto` since 1.0).
//
// Why not the constant-arrival-rate executor: k6 cannot keep a WebSocket open across iterations
// (grafana/k6#4769, an iteration ends only when its sockets close), so one iteration per
// message would mean one connection per message, which is not how a messenger works. Each VU
// instead runs ONE long iteration on one connection and schedules its share of RATE itself,
// open-loop: the k-th message has a fixed intended time, a late timer sends every message
// that is due at once, and latency is measured from the intended time (no coordinated omission).

import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import { clearTimeout, setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import { textSummary } from 'https://jslib.k6.io/k6-summary/0.1.0/index.js';
import { bytesEqual, fromBase64, idFromNumber } from './lib/bytes.js';
import { E2eSession, envelopeSessionId } from './lib/envelope.js';
import { decodeFrame, encodeFrameBuffer } from './lib/frames.js';
import { createPayload, readPayload, writePayload } from './lib/payload.js';
import { readSettings } from './lib/settings.js';
import { SUMMARY_TREND_STATS, buildPerfResult, environmentFromEnv } from './lib/summary.js';

/** @typedef {{ index: number, identity: string, token: string, sends_to: number, sessions: import('./lib/envelope.js').E2eSessionState[] }} DataUser */
/** @type {{ format: string, users: DataUser[] }} */
const data = JSON.parse(open(__ENV.DATA ?? 'data/users.json'));
if (data.format !== 'perf-k6-data/1' || !Array.isArray(data.users) || data.users.length < 2) {
  throw new Error('DATA is not a perf k6 prepare file (format perf-k6-data/1 with at least 2 users)');
}
const settings = readSettings(__ENV, data.users.length);

const sealTime = new Trend('e2e_seal', true);
const openTime = new Trend('e2e_open', true);
const forwardLatency = new Trend('forward_latency', true);
const endToEndLatency = new Trend('end_to_end_latency', true);
const scheduleLag = new Trend('schedule_lag', true);
const messagesSent = new Counter('messages_sent');
const messagesAccepted = new Counter('messages_accepted');
const messagesDelivered = new Counter('messages_delivered');
const messagesRejected = new Counter('messages_rejected');
const messagesOpenFailed = new Counter('messages_open_failed');
const connectionErrors = new Counter('connection_errors');

export const options = {
  scenarios: {
    messages: {
      executor: 'per-vu-iterations',
      vus: settings.vus,
      iterations: 1,
      maxDuration: `${Math.ceil(settings.startDelayS + settings.warmupS + settings.durationS + settings.drainS + 30)}s`,
    },
  },
  thresholds: settings.thresholds,
  summaryTrendStats: SUMMARY_TREND_STATS,
};

/** One common start for every VU's schedule, after all sockets have had time to open. */
export function setup() {
  const startMs = Date.now() + settings.startDelayS * 1000;
  return { startMs, startedAt: new Date(startMs + settings.warmupS * 1000).toISOString() };
}

/** @param {{ startMs: number }} shared */
export default function (shared) {
  const vuIndex = exec.vu.idInTest - 1;
  const user = data.users[settings.userOffset + vuIndex];
  if (!user) {
    // k6 numbers VUs across instances, with possible gaps: never fall back to another VU's identity.
    throw new Error(`VU ${vuIndex + 1} has no user: the data file holds ${data.users.length} (USER_OFFSET ${settings.userOffset}); prepare more users`);
  }
  const recipient = data.users[user.sends_to];
  /** @type {Map<string, E2eSession>} */
  const sessions = new Map();
  for (const state of user.sessions) {
    const session = new E2eSession(state);
    sessions.set(session.sessionIdHex, session);
  }
  const recipientIdentity = fromBase64(recipient.identity);
  const sending = [...sessions.values()].find((s) => bytesEqual(s.remoteIdentity, recipientIdentity));
  if (!sending) throw new Error(`user ${user.index} has no session with its recipient ${recipient.index}`);

  // This VU's share of the rate, offset so VUs do not all send at the same instant.
  const intervalMs = (1000 * settings.vus) / settings.rate;
  const firstMs = shared.startMs + (intervalMs * vuIndex) / settings.vus;
  const measureFromMs = shared.startMs + settings.warmupS * 1000;
  const endMs = measureFromMs + settings.durationS * 1000;
  const intendedOf = (/** @type {number} */ k) => firstMs + k * intervalMs;
  const measured = (/** @type {number} */ intendedMs) => intendedMs >= measureFromMs && intendedMs < endMs;
  const payload = createPayload(settings.size);
  /** @type {Set<string>} */
  const seenRelayIds = new Set();
  let next = 0;
  /** @type {number | undefined} */
  let timer;

  const socket = new WebSocket(`${settings.relayUrl}?access_token=${encodeURIComponent(user.token)}`);
  socket.binaryType = 'arraybuffer';

  const send = (/** @type {number} */ k) => {
    const intendedMs = intendedOf(k);
    const sealStartMs = Date.now();
    const isMeasured = measured(intendedMs);
    if (isMeasured) scheduleLag.add(Math.max(0, sealStartMs - intendedMs));
    writePayload(payload, k, intendedMs, sealStartMs);
    sending.seal(payload.slice()).then((envelope) => {
      if (isMeasured) sealTime.add(Date.now() - sealStartMs);
      socket.send(encodeFrameBuffer({ type: 'send', clientMessageId: idFromNumber(k), recipient: recipientIdentity, envelope }));
      if (isMeasured) messagesSent.add(1);
    }).catch((error) => {
      connectionErrors.add(1);
      console.error(`VU ${vuIndex + 1}: message ${k} not sent: ${error instanceof Error ? error.message : error}`);
    });
  };

  const tick = () => {
    const now = Date.now();
    while (intendedOf(next) <= now && intendedOf(next) < endMs) {
      send(next++);
    }
    if (intendedOf(next) < endMs) {
      timer = setTimeout(tick, Math.max(0, intendedOf(next) - Date.now()));
    } else {
      timer = setTimeout(() => socket.close(), settings.drainS * 1000);
    }
  };

  const receive = async (/** @type {Uint8Array} */ bytes) => {
    const receivedMs = Date.now();
    const frame = decodeFrame(bytes);
    switch (frame.type) {
      case 'deliver': {
        // ACK even what does not open: the relay redelivers until ACKed; a repeat is dropped by id.
        socket.send(encodeFrameBuffer({ type: 'ack', relayMessageId: frame.relayMessageId }));
        if (seenRelayIds.has(frame.relayMessageId)) return;
        seenRelayIds.add(frame.relayMessageId);
        const session = sessions.get(envelopeSessionId(frame.envelope) ?? '');
        if (!session) {
          messagesOpenFailed.add(1);
          return;
        }
        const openStart = Date.now();
        let plaintext;
        try {
          plaintext = await session.open(frame.envelope);
        } catch (error) {
          messagesOpenFailed.add(1);
          console.warn(`VU ${vuIndex + 1}: message ${frame.relayMessageId} did not open: ${error instanceof Error ? error.message : error}`);
          return;
        }
        const openedMs = Date.now();
        const header = readPayload(plaintext);
        if (header && measured(header.intendedMs)) {
          openTime.add(openedMs - openStart);
          forwardLatency.add(Math.max(0, receivedMs - header.sealStartMs));
          endToEndLatency.add(Math.max(0, openedMs - header.intendedMs));
          messagesDelivered.add(1);
        }
        return;
      }
      case 'accepted':
        if (measured(intendedOf(parseInt(frame.clientMessageId, 16)))) messagesAccepted.add(1);
        return;
      case 'rejected':
        if (measured(intendedOf(parseInt(frame.clientMessageId, 16)))) messagesRejected.add(1);
        return;
      case 'error':
        connectionErrors.add(1);
        console.error(`VU ${vuIndex + 1}: the relay sent ERROR ${frame.code}: ${frame.reason}`);
        return;
      default:
        return; // PONG: nothing to do
    }
  };

  socket.onopen = () => {
    timer = setTimeout(tick, Math.max(0, firstMs - Date.now()));
  };
  socket.onmessage = (event) => {
    if (event && event.data instanceof ArrayBuffer) {
      receive(new Uint8Array(event.data)).catch((error) => {
        connectionErrors.add(1);
        console.error(`VU ${vuIndex + 1}: ${error instanceof Error ? error.message : error}`);
      });
    }
  };
  socket.onerror = (event) => {
    connectionErrors.add(1);
    console.error(`VU ${vuIndex + 1}: WebSocket error: ${event?.error ?? 'unknown'}`);
    if (timer !== undefined) clearTimeout(timer);
    socket.close();
  };
}

/**
 * k6's text summary on stdout and a perf-result/1 JSON file (RESULT_OUT) for perf compare/gate/report.
 * @param {import('./lib/summary.js').SummaryData & { setup_data?: { startedAt?: string } }} summary
 */
export function handleSummary(summary) {
  const startedAt = summary.setup_data?.startedAt ?? new Date().toISOString();
  const result = buildPerfResult(summary, settings, startedAt, environmentFromEnv(__ENV));
  return {
    stdout: textSummary(summary, { indent: ' ', enableColors: true }),
    [settings.resultOut]: JSON.stringify(result, null, 2),
  };
}
