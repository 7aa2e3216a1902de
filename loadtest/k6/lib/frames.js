// Relay frames (docs/protocol.md, "Relay frames"): one frame per binary WebSocket message.
// Big-endian integers; 64-bit ids are carried as 16 hex digits (see bytes.js idFromNumber).

import { fromHex, toHex, utf8Decode, utf8Encode } from './bytes.js';

/** Frame type bytes. */
export const FrameType = Object.freeze({ SEND: 1, DELIVER: 2, ACK: 3, ACCEPTED: 4, REJECTED: 5, PING: 6, PONG: 7, ERROR: 8 });

/** The relay's default envelope limit (FrameLimits.MaxEnvelopeBytes). */
export const MAX_ENVELOPE_BYTES = 65000;

/** The relay's default ERROR reason limit (FrameLimits.MaxReasonBytes). */
export const MAX_REASON_BYTES = 200;

/** REJECTED reasons by code. */
export const RejectReasons = Object.freeze({ 1: 'mailbox_full', 2: 'recipient_invalid', 3: 'envelope_too_large', 4: 'rate_limited', 5: 'shutting_down', 6: 'delivery_token_invalid', 7: 'authentication_required' });

const IDENTITY_SIZE = 32;
const SEALED_SENDER = 0x01;

/**
 * @typedef {{ type: 'send', clientMessageId: string, recipient: Uint8Array, envelope: Uint8Array }} SendFrame
 * @typedef {{ type: 'deliver', relayMessageId: string, sealedSender: boolean, sender: Uint8Array | null, envelope: Uint8Array }} DeliverFrame
 * @typedef {{ type: 'ack', relayMessageId: string }} AckFrame
 * @typedef {{ type: 'accepted', clientMessageId: string, relayMessageId: string }} AcceptedFrame
 * @typedef {{ type: 'rejected', clientMessageId: string, reason: number }} RejectedFrame
 * @typedef {{ type: 'ping' | 'pong', value: string }} PingPongFrame
 * @typedef {{ type: 'error', code: number, reason: string }} ErrorFrame
 * @typedef {SendFrame | DeliverFrame | AckFrame | AcceptedFrame | RejectedFrame | PingPongFrame | ErrorFrame} RelayFrame
 * @typedef {'truncated' | 'unknown_type' | 'trailing_bytes' | 'envelope_too_large' | 'bad_flags' | 'reason_too_long'} FrameErrorCode
 */

/** A frame that does not parse; `code` names why, as the relay's own parser does. */
export class FrameError extends Error {
  /**
   * @param {FrameErrorCode} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = 'FrameError';
    /** @type {FrameErrorCode} */
    this.code = code;
  }
}

/**
 * Encodes a frame into the bytes of one WebSocket message.
 * @param {RelayFrame} frame
 * @returns {Uint8Array}
 */
export function encodeFrame(frame) {
  switch (frame.type) {
    case 'send': {
      checkIdentity(frame.recipient);
      const out = new Uint8Array(45 + frame.envelope.length);
      out[0] = FrameType.SEND;
      out.set(fromId(frame.clientMessageId), 1);
      out.set(frame.recipient, 9);
      new DataView(out.buffer).setUint32(41, frame.envelope.length);
      out.set(frame.envelope, 45);
      return out;
    }
    case 'deliver': {
      const sender = frame.sealedSender ? null : frame.sender;
      if (sender) checkIdentity(sender);
      const head = 10 + (sender ? IDENTITY_SIZE : 0);
      const out = new Uint8Array(head + 4 + frame.envelope.length);
      out[0] = FrameType.DELIVER;
      out.set(fromId(frame.relayMessageId), 1);
      out[9] = frame.sealedSender ? SEALED_SENDER : 0;
      if (sender) out.set(sender, 10);
      new DataView(out.buffer).setUint32(head, frame.envelope.length);
      out.set(frame.envelope, head + 4);
      return out;
    }
    case 'ack':
      return idFrame(FrameType.ACK, frame.relayMessageId);
    case 'accepted': {
      const out = new Uint8Array(17);
      out[0] = FrameType.ACCEPTED;
      out.set(fromId(frame.clientMessageId), 1);
      out.set(fromId(frame.relayMessageId), 9);
      return out;
    }
    case 'rejected': {
      const out = new Uint8Array(10);
      out[0] = FrameType.REJECTED;
      out.set(fromId(frame.clientMessageId), 1);
      out[9] = frame.reason;
      return out;
    }
    case 'ping':
      return idFrame(FrameType.PING, frame.value);
    case 'pong':
      return idFrame(FrameType.PONG, frame.value);
    case 'error': {
      const reason = utf8Encode(frame.reason);
      if (reason.length > MAX_REASON_BYTES) throw new RangeError(`an ERROR reason is at most ${MAX_REASON_BYTES} bytes`);
      const out = new Uint8Array(3 + reason.length);
      out[0] = FrameType.ERROR;
      out[1] = frame.code;
      out[2] = reason.length;
      out.set(reason, 3);
      return out;
    }
  }
}

/**
 * Encodes a frame into an ArrayBuffer of exactly its length, what WebSocket.send takes everywhere.
 * @param {RelayFrame} frame
 * @returns {ArrayBuffer}
 */
export function encodeFrameBuffer(frame) {
  return /** @type {ArrayBuffer} */ (encodeFrame(frame).buffer);
}

/**
 * Decodes one frame; the result's byte fields are views into `bytes`.
 * @param {Uint8Array} bytes one whole WebSocket message
 * @returns {RelayFrame}
 * @throws {FrameError} truncated, unknown_type, trailing_bytes, envelope_too_large, bad_flags or reason_too_long
 */
export function decodeFrame(bytes) {
  const reader = new Reader(bytes);
  const type = reader.u8();
  /** @type {RelayFrame} */
  let frame;
  switch (type) {
    case FrameType.SEND: {
      const clientMessageId = reader.id();
      const recipient = reader.take(IDENTITY_SIZE);
      frame = { type: 'send', clientMessageId, recipient, envelope: reader.envelope() };
      break;
    }
    case FrameType.DELIVER: {
      const relayMessageId = reader.id();
      const flags = reader.u8();
      if ((flags & ~SEALED_SENDER) !== 0) throw new FrameError('bad_flags', `DELIVER flag bits 0x${flags.toString(16)} are not defined`);
      const sealedSender = (flags & SEALED_SENDER) !== 0;
      const sender = sealedSender ? null : reader.take(IDENTITY_SIZE);
      frame = { type: 'deliver', relayMessageId, sealedSender, sender, envelope: reader.envelope() };
      break;
    }
    case FrameType.ACK:
      frame = { type: 'ack', relayMessageId: reader.id() };
      break;
    case FrameType.ACCEPTED: {
      const clientMessageId = reader.id();
      frame = { type: 'accepted', clientMessageId, relayMessageId: reader.id() };
      break;
    }
    case FrameType.REJECTED: {
      const clientMessageId = reader.id();
      frame = { type: 'rejected', clientMessageId, reason: reader.u8() };
      break;
    }
    case FrameType.PING:
    case FrameType.PONG:
      frame = { type: type === FrameType.PING ? 'ping' : 'pong', value: reader.id() };
      break;
    case FrameType.ERROR: {
      const code = reader.u8();
      const length = reader.u8();
      if (length > MAX_REASON_BYTES) throw new FrameError('reason_too_long', `an ERROR reason of ${length} bytes is over ${MAX_REASON_BYTES}`);
      frame = { type: 'error', code, reason: utf8Decode(reader.take(length)) };
      break;
    }
    default:
      throw new FrameError('unknown_type', `unknown frame type 0x${type.toString(16)}`);
  }
  if (reader.remaining() !== 0) throw new FrameError('trailing_bytes', `${reader.remaining()} bytes after a whole frame`);
  return frame;
}

class Reader {
  /** @param {Uint8Array} bytes */
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.at = 0;
  }

  remaining() {
    return this.bytes.length - this.at;
  }

  /** @param {number} count */
  need(count) {
    if (this.remaining() < count) throw new FrameError('truncated', `the frame ends ${count - this.remaining()} bytes early`);
  }

  u8() {
    this.need(1);
    return this.bytes[this.at++];
  }

  id() {
    return toHex(this.take(8));
  }

  /** @param {number} count */
  take(count) {
    this.need(count);
    const slice = this.bytes.subarray(this.at, this.at + count);
    this.at += count;
    return slice;
  }

  envelope() {
    this.need(4);
    const length = this.view.getUint32(this.at);
    this.at += 4;
    if (length > MAX_ENVELOPE_BYTES) throw new FrameError('envelope_too_large', `an envelope of ${length} bytes is over ${MAX_ENVELOPE_BYTES}`);
    return this.take(length);
  }
}

/**
 * @param {number} type
 * @param {string} id
 */
function idFrame(type, id) {
  const out = new Uint8Array(9);
  out[0] = type;
  out.set(fromId(id), 1);
  return out;
}

/** @param {string} id 16 hex digits */
function fromId(id) {
  if (typeof id !== 'string' || id.length !== 16) throw new TypeError(`a 64-bit id is 16 hex digits; got ${id}`);
  return fromHex(id);
}

/** @param {Uint8Array} identity */
function checkIdentity(identity) {
  if (!(identity instanceof Uint8Array) || identity.length !== IDENTITY_SIZE) throw new TypeError('an identity is 32 bytes');
}
