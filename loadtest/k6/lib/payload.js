// The k6 plaintext: what the E2E envelope carries, so the relay never sees the timestamps.
// Layout: sequence (u64 LE), intended send time, the time sealing began (float64 LE, epoch ms:
// k6 has no monotonic clock shared between VUs), then filler up to the message size. The send
// time after sealing cannot travel inside the sealed payload, so forward latency starts at the
// seal: it covers the sender's seal, the WebSocket send, the relay and the delivery.
// After its last measured message a sender sends one tally (lib/ledger.js): sequence all ones,
// then sent, rejected, first and end measured sequence numbers (float64 LE each).

/** Bytes the header takes; messages must be at least this long. */
export const PAYLOAD_HEADER_SIZE = 24;

/**
 * A reusable payload buffer of `size` bytes with deterministic filler.
 * @param {number} size
 * @returns {Uint8Array}
 */
export function createPayload(size) {
  if (!Number.isInteger(size) || size < PAYLOAD_HEADER_SIZE) throw new RangeError(`SIZE must be an integer of at least ${PAYLOAD_HEADER_SIZE} bytes`);
  const payload = new Uint8Array(size);
  for (let i = PAYLOAD_HEADER_SIZE; i < size; i++) payload[i] = (i * 31) & 0xff;
  return payload;
}

/**
 * Writes the header into `payload`.
 * @param {Uint8Array} payload
 * @param {number} sequence
 * @param {number} intendedMs when the schedule meant to send it
 * @param {number} sealStartMs when the sender began sealing it (the schedule may run late)
 */
export function writePayload(payload, sequence, intendedMs, sealStartMs) {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  view.setUint32(0, sequence >>> 0, true);
  view.setUint32(4, Math.floor(sequence / 0x100000000), true);
  view.setFloat64(8, intendedMs, true);
  view.setFloat64(16, sealStartMs, true);
}

/** Bytes of a tally message. */
export const TALLY_SIZE = 40;

/**
 * The tally message's plaintext.
 * @param {import('./ledger.js').Tally} tally
 * @returns {Uint8Array}
 */
export function tallyPayload(tally) {
  const payload = new Uint8Array(TALLY_SIZE);
  const view = new DataView(payload.buffer);
  view.setUint32(0, 0xffffffff, true);
  view.setUint32(4, 0xffffffff, true);
  view.setFloat64(8, tally.sent, true);
  view.setFloat64(16, tally.rejected, true);
  view.setFloat64(24, tally.firstMeasured, true);
  view.setFloat64(32, tally.endMeasured, true);
  return payload;
}

/**
 * Reads a message's header, or the tally when it is one; null when the plaintext is too short to be either.
 * @param {Uint8Array} plaintext
 * @returns {{ tally: null, sequence: number, intendedMs: number, sealStartMs: number } | { tally: import('./ledger.js').Tally } | null}
 */
export function readPayload(plaintext) {
  if (plaintext.length < PAYLOAD_HEADER_SIZE) return null;
  const view = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  if (view.getUint32(0, true) === 0xffffffff && view.getUint32(4, true) === 0xffffffff) {
    if (plaintext.length < TALLY_SIZE) return null;
    const field = (/** @type {number} */ at) => view.getFloat64(at, true);
    return { tally: { sent: field(8), rejected: field(16), firstMeasured: field(24), endMeasured: field(32) } };
  }
  return {
    tally: null,
    sequence: view.getUint32(0, true) + view.getUint32(4, true) * 0x100000000,
    intendedMs: view.getFloat64(8, true),
    sealStartMs: view.getFloat64(16, true),
  };
}
