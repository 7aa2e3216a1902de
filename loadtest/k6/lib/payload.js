// The k6 plaintext: what the E2E envelope carries, so the relay never sees the timestamps.
// Layout: sequence (u64 LE), intended send time, the time sealing began (float64 LE, epoch ms:
// k6 has no monotonic clock shared between VUs), then filler up to the message size. The send
// time after sealing cannot travel inside the sealed payload, so forward latency starts at the
// seal: it covers the sender's seal, the WebSocket send, the relay and the delivery.

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

/**
 * Reads the header; null when the plaintext is too short to hold one.
 * @param {Uint8Array} plaintext
 * @returns {{ sequence: number, intendedMs: number, sealStartMs: number } | null}
 */
export function readPayload(plaintext) {
  if (plaintext.length < PAYLOAD_HEADER_SIZE) return null;
  const view = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  return {
    sequence: view.getUint32(0, true) + view.getUint32(4, true) * 0x100000000,
    intendedMs: view.getFloat64(8, true),
    sealStartMs: view.getFloat64(16, true),
  };
}
