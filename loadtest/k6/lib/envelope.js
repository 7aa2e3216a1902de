// The end-to-end envelope (docs/protocol.md, "End-to-end envelope"), per-message work only:
// the HMAC-SHA256 chain step and AES-256-GCM through WebCrypto (`crypto.subtle`, a global in
// k6 >= 1.0 and Node >= 20). Sessions come established from `perf k6 prepare`.

import { bytesEqual, fromBase64, toBase64, toHex } from './bytes.js';

const VERSION = 1;
const AES_256_GCM = 2;
const KNOWN_ALGORITHMS = [1, 2, 3];
const PREKEY = 0x01;
const PADDED = 0x02;
const BASE_HEADER = 23;
const PREKEY_HEADER = 87;
const TAG = 16;
const MAX_SKIPPED_KEYS = 1000;
const STEP_MESSAGE_KEY = Uint8Array.of(0x01);
const STEP_CHAIN_KEY = Uint8Array.of(0x02);

/**
 * The session state `perf k6 prepare` exports (C# `E2eSessionState`; binary fields base64).
 * @typedef {{ version: number, algorithm: string, is_initiator: boolean, session_id: string,
 *   local_identity: string, remote_identity: string, initiator_ephemeral: string,
 *   send_chain_key: string, send_counter: number, receive_chain_key: string, receive_next: number,
 *   prekey_pending: boolean }} E2eSessionState
 * @typedef {'Truncated' | 'UnsupportedVersion' | 'UnknownAlgorithm' | 'MalformedHeader' | 'UnknownSession'
 *   | 'AuthenticationFailed' | 'Replay' | 'TooFarAhead' | 'BadPadding'} E2eErrorCode
 */

/** A refused envelope; `code` is the C# `E2eError` name. */
export class E2eError extends Error {
  /**
   * @param {E2eErrorCode} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = 'E2eError';
    /** @type {E2eErrorCode} */
    this.code = code;
  }
}

/**
 * The session id (hex) an envelope names, to route it to its session before opening; null
 * when the envelope is too short to have one.
 * @param {Uint8Array} envelope
 * @returns {string | null}
 */
export function envelopeSessionId(envelope) {
  return envelope.length >= 19 ? toHex(envelope.subarray(3, 19)) : null;
}

/** One established E2E session: seals toward the other side and opens what it sends. */
export class E2eSession {
  /**
   * @param {E2eSessionState} state
   * @throws {E2eError} UnknownAlgorithm for anything but aes-256-gcm (WebCrypto has no ChaCha20-Poly1305)
   */
  constructor(state) {
    if (state.version !== 1) throw new E2eError('UnsupportedVersion', `session state version ${state.version}`);
    if (state.algorithm !== 'aes-256-gcm') {
      throw new E2eError('UnknownAlgorithm', `${state.algorithm} is not available through WebCrypto; prepare sessions with aes-256-gcm`);
    }
    this.isInitiator = state.is_initiator;
    this.sessionId = fromBase64(state.session_id);
    this.localIdentity = fromBase64(state.local_identity);
    this.remoteIdentity = fromBase64(state.remote_identity);
    this.initiatorEphemeral = fromBase64(state.initiator_ephemeral);
    this.sendChainKey = fromBase64(state.send_chain_key);
    this.sendCounter = state.send_counter;
    this.receiveChainKey = fromBase64(state.receive_chain_key);
    this.receiveNext = state.receive_next;
    this.prekeyPending = state.prekey_pending;
    /** Keys of skipped counters, oldest first (a Map keeps insertion order). @type {Map<number, Uint8Array>} */
    this.skipped = new Map();
    /** @type {Promise<unknown>} */
    this.sendTail = Promise.resolve();
    /** @type {Promise<unknown>} */
    this.receiveTail = Promise.resolve();
  }

  /** The session id as hex, the key to route envelopes by. */
  get sessionIdHex() {
    return toHex(this.sessionId);
  }

  /**
   * Seals `plaintext` as the next message. Calls are numbered in call order even when not
   * awaited one by one, so a sender never reuses or reorders counters.
   * @param {Uint8Array} plaintext
   * @returns {Promise<Uint8Array>} the envelope
   */
  seal(plaintext) {
    const run = this.sendTail.then(() => this.sealNext(plaintext));
    this.sendTail = run.catch(() => undefined);
    return run;
  }

  /**
   * Opens an envelope of this session. Any refusal leaves the session as it was.
   * @param {Uint8Array} envelope
   * @returns {Promise<Uint8Array>} the plaintext
   * @throws {E2eError}
   */
  open(envelope) {
    const run = this.receiveTail.then(() => this.openNext(envelope));
    this.receiveTail = run.catch(() => undefined);
    return run;
  }

  /**
   * The current state in the exported form (skipped keys are not part of it, as in C#).
   * @returns {E2eSessionState}
   */
  exportState() {
    return {
      version: 1,
      algorithm: 'aes-256-gcm',
      is_initiator: this.isInitiator,
      session_id: toBase64(this.sessionId),
      local_identity: toBase64(this.localIdentity),
      remote_identity: toBase64(this.remoteIdentity),
      initiator_ephemeral: toBase64(this.initiatorEphemeral),
      send_chain_key: toBase64(this.sendChainKey),
      send_counter: this.sendCounter,
      receive_chain_key: toBase64(this.receiveChainKey),
      receive_next: this.receiveNext,
      prekey_pending: this.prekeyPending,
    };
  }

  /** @param {Uint8Array} plaintext */
  async sealNext(plaintext) {
    const counter = this.sendCounter;
    if (counter > 0xffffffff) throw new RangeError('the send chain is exhausted');
    const prekey = this.isInitiator && this.prekeyPending;
    const header = new Uint8Array(prekey ? PREKEY_HEADER : BASE_HEADER);
    header[0] = VERSION;
    header[1] = AES_256_GCM;
    header[2] = prekey ? PREKEY : 0;
    header.set(this.sessionId, 3);
    new DataView(header.buffer).setUint32(19, counter);
    if (prekey) {
      header.set(this.localIdentity, 23);
      header.set(this.initiatorEphemeral, 55);
    }
    const { messageKey, chainKey } = await chainStep(this.sendChainKey);
    this.sendChainKey = chainKey;
    this.sendCounter = counter + 1;
    const sealed = await aesGcm('encrypt', messageKey, counter, header, plaintext);
    const envelope = new Uint8Array(header.length + sealed.length);
    envelope.set(header);
    envelope.set(sealed, header.length);
    return envelope;
  }

  /** @param {Uint8Array} envelope */
  async openNext(envelope) {
    if (envelope.length < BASE_HEADER + TAG) throw new E2eError('Truncated', `${envelope.length} bytes is shorter than a header and tag`);
    if (envelope[0] !== VERSION) throw new E2eError('UnsupportedVersion', `envelope version ${envelope[0]}`);
    if (!KNOWN_ALGORITHMS.includes(envelope[1])) throw new E2eError('UnknownAlgorithm', `algorithm byte ${envelope[1]}`);
    const flags = envelope[2];
    if ((flags & ~(PREKEY | PADDED)) !== 0) throw new E2eError('MalformedHeader', `unknown flag bits 0x${flags.toString(16)}`);
    const headerSize = flags & PREKEY ? PREKEY_HEADER : BASE_HEADER;
    if (envelope.length < headerSize + TAG) throw new E2eError('Truncated', `${envelope.length} bytes is shorter than a prekey header and tag`);
    if (envelope[1] !== AES_256_GCM) throw new E2eError('UnknownAlgorithm', `algorithm byte ${envelope[1]} is not this session's`);
    if (!bytesEqual(envelope.subarray(3, 19), this.sessionId)) throw new E2eError('UnknownSession', 'the session id is not this session\'s');
    if (flags & PREKEY && (this.isInitiator || !bytesEqual(envelope.subarray(23, 55), this.remoteIdentity) || !bytesEqual(envelope.subarray(55, 87), this.initiatorEphemeral))) {
      throw new E2eError('MalformedHeader', 'prekey fields that are not this session\'s');
    }
    const header = envelope.subarray(0, headerSize);
    const sealed = envelope.subarray(headerSize);
    const counter = new DataView(envelope.buffer, envelope.byteOffset, envelope.byteLength).getUint32(19);
    const padded = (flags & PADDED) !== 0;
    let plaintext;
    if (counter < this.receiveNext) {
      const key = this.skipped.get(counter);
      if (!key) throw new E2eError('Replay', `message ${counter} was already opened`);
      plaintext = unpadIf(padded, await aesGcm('decrypt', key, counter, header, sealed));
      this.skipped.delete(counter);
    } else {
      const skip = counter - this.receiveNext;
      if (skip > MAX_SKIPPED_KEYS) throw new E2eError('TooFarAhead', `message ${counter} is ${skip} past the next expected`);
      // Walk a copy of the chain; commit only once the message has authenticated.
      let chain = this.receiveChainKey;
      const skippedKeys = [];
      for (let i = 0; i < skip; i++) {
        const step = await chainStep(chain);
        skippedKeys.push(step.messageKey);
        chain = step.chainKey;
      }
      const step = await chainStep(chain);
      // Padding is checked before anything is committed, so a refusal leaves the session as it was.
      plaintext = unpadIf(padded, await aesGcm('decrypt', step.messageKey, counter, header, sealed));
      skippedKeys.forEach((key, i) => this.keepSkipped(this.receiveNext + i, key));
      this.receiveChainKey = step.chainKey;
      this.receiveNext = counter + 1;
    }
    // The recipient has answered: the initiator's keys need not travel any more.
    if (this.isInitiator) this.prekeyPending = false;
    return plaintext;
  }

  /**
   * @param {number} counter
   * @param {Uint8Array} key
   */
  keepSkipped(counter, key) {
    if (this.skipped.size >= MAX_SKIPPED_KEYS) {
      const oldest = this.skipped.keys().next().value;
      if (oldest !== undefined) this.skipped.delete(oldest);
    }
    this.skipped.set(counter, key);
  }
}

/**
 * One step of the symmetric ratchet: message key = HMAC(ck, 0x01), next chain key = HMAC(ck, 0x02).
 * @param {Uint8Array} chainKey
 * @returns {Promise<{ messageKey: Uint8Array, chainKey: Uint8Array }>}
 */
export async function chainStep(chainKey) {
  const key = await crypto.subtle.importKey('raw', exact(chainKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const [messageKey, next] = await Promise.all([
    crypto.subtle.sign('HMAC', key, STEP_MESSAGE_KEY),
    crypto.subtle.sign('HMAC', key, STEP_CHAIN_KEY),
  ]);
  return { messageKey: new Uint8Array(messageKey), chainKey: new Uint8Array(next) };
}

/**
 * AES-256-GCM with the envelope nonce (8 zero bytes, then the counter big-endian) and the header as associated data.
 * @param {'encrypt' | 'decrypt'} direction
 * @param {Uint8Array} messageKey
 * @param {number} counter
 * @param {Uint8Array} header
 * @param {Uint8Array} data
 * @returns {Promise<Uint8Array>}
 */
async function aesGcm(direction, messageKey, counter, header, data) {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setUint32(8, counter);
  const key = await crypto.subtle.importKey('raw', exact(messageKey), { name: 'AES-GCM' }, false, [direction]);
  const params = { name: /** @type {const} */ ('AES-GCM'), iv: nonce, additionalData: exact(header), tagLength: 128 };
  try {
    return new Uint8Array(direction === 'encrypt' ? await crypto.subtle.encrypt(params, key, exact(data)) : await crypto.subtle.decrypt(params, key, exact(data)));
  } catch (error) {
    if (direction === 'decrypt') throw new E2eError('AuthenticationFailed', 'the tag did not verify');
    throw error;
  }
}

/**
 * Strips ISO/IEC 7816-4 padding (the plaintext, then 0x80, then zeros) when the padded flag is set.
 * @param {boolean} padded
 * @param {Uint8Array} body
 */
function unpadIf(padded, body) {
  if (!padded) return body;
  let end = body.length - 1;
  while (end >= 0 && body[end] === 0) end--;
  if (end < 0 || body[end] !== 0x80) throw new E2eError('BadPadding', 'the padded flag is set but the padding is not 0x80 then zeros');
  return body.subarray(0, end);
}

/**
 * The bytes as a view over a buffer of exactly their length: k6's WebCrypto reads the whole
 * buffer behind a typed array, ignoring its offset and length, so a subarray is copied first.
 * @param {Uint8Array} view
 * @returns {Uint8Array}
 */
function exact(view) {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? view : view.slice();
}
