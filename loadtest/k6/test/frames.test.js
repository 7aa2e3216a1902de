import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex, idFromNumber, toHex } from '../lib/bytes.js';
import { FrameError, decodeFrame, encodeFrame } from '../lib/frames.js';
import { vectors } from './vectors.js';

/**
 * The vector's fields (snake_case, decimal ids, hex bytes) as the library's frame object.
 * @param {Record<string, string | number | boolean>} v
 * @returns {import('../lib/frames.js').RelayFrame}
 */
function frameOf(v) {
  const id = (/** @type {unknown} */ value) => BigInt(String(value)).toString(16).padStart(16, '0');
  const bytes = (/** @type {unknown} */ value) => fromHex(String(value ?? ''));
  switch (v.type) {
    case 'send':
      return { type: 'send', clientMessageId: id(v.client_message_id), recipient: bytes(v.recipient), envelope: bytes(v.envelope) };
    case 'deliver':
      return { type: 'deliver', relayMessageId: id(v.relay_message_id), sealedSender: Boolean(v.sealed_sender), sender: v.sealed_sender ? null : bytes(v.sender), envelope: bytes(v.envelope) };
    case 'ack':
      return { type: 'ack', relayMessageId: id(v.relay_message_id) };
    case 'accepted':
      return { type: 'accepted', clientMessageId: id(v.client_message_id), relayMessageId: id(v.relay_message_id) };
    case 'rejected':
      return { type: 'rejected', clientMessageId: id(v.client_message_id), reason: Number(v.reason) };
    case 'ping':
    case 'pong':
      return { type: v.type, value: id(v.value) };
    case 'error':
      return { type: 'error', code: Number(v.code), reason: String(v.reason) };
    default:
      throw new Error(`unknown vector frame type ${v.type}`);
  }
}

describe('relay frames against the C# codec', () => {
  it('has vectors for every frame type', () => {
    const types = new Set(vectors.frames.map((v) => v.frame.type));
    assert.deepEqual([...types].sort(), ['accepted', 'ack', 'deliver', 'error', 'ping', 'pong', 'rejected', 'send']);
  });

  for (const vector of vectors.frames) {
    it(`encodes ${vector.name} byte for byte`, () => {
      assert.equal(toHex(encodeFrame(frameOf(vector.frame))), vector.bytes);
    });

    it(`decodes ${vector.name} to its fields`, () => {
      assert.deepEqual(decodeFrame(fromHex(vector.bytes)), frameOf(vector.frame));
    });
  }

  for (const vector of vectors.malformed_frames) {
    it(`refuses ${vector.name} as ${vector.error}`, () => {
      assert.throws(() => decodeFrame(fromHex(vector.bytes)), (error) => error instanceof FrameError && error.code === vector.error);
    });
  }

  it('writes ids past 2^32 exactly', () => {
    assert.equal(idFromNumber(2 ** 40 + 5), '0000010000000005');
    assert.throws(() => idFromNumber(-1), /non-negative safe integer/);
  });
});
