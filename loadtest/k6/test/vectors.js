// Loads test/vectors.json, which the C# tests generate from the relay's own frame codec and
// E2E session (tests/Relay.Protocol.Tests/K6/K6VectorFileTests.cs keeps it current).

import { readFileSync } from 'node:fs';

/**
 * @typedef {import('../lib/envelope.js').E2eSessionState} E2eSessionState
 * @typedef {{ name: string, frame: Record<string, string | number | boolean>, bytes: string }} FrameVector
 * @typedef {{ name: string, bytes: string, error: string }} MalformedFrameVector
 * @typedef {{ name: string, sender_state: E2eSessionState, plaintext: string, envelope: string,
 *   sender_state_after: E2eSessionState, recipient_state: E2eSessionState, recipient_state_after: E2eSessionState }} EnvelopeVector
 * @typedef {{ name: string, recipient_state: E2eSessionState, envelope: string, error: string }} OpenErrorVector
 * @typedef {{ frames: FrameVector[], malformed_frames: MalformedFrameVector[], envelopes: EnvelopeVector[], open_errors: OpenErrorVector[] }} VectorFile
 */

/** @type {VectorFile} */
export const vectors = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8'));
