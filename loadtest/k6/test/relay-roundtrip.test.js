import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { bytesEqual, fromBase64, idFromNumber, utf8Decode, utf8Encode } from '../lib/bytes.js';
import { E2eSession } from '../lib/envelope.js';
import { decodeFrame, encodeFrame } from '../lib/frames.js';
import { prepare, skipReason, startPeer, startRelay } from './relay.js';

describe('the library against a real relay and a C# peer', { skip: skipReason }, () => {
  /** @type {Awaited<ReturnType<typeof startRelay>>} */
  let relay;
  before(async () => {
    relay = await startRelay();
  });
  after(() => relay?.stop());

  it('sends sealed messages over a token-authenticated WebSocket and opens the answers', { timeout: 90000 }, async (t) => {
    const dataPath = join(mkdtempSync(join(tmpdir(), 'k6-roundtrip-')), 'users.json');
    prepare(2, 'pairs', relay.secret, dataPath);
    const data = JSON.parse(readFileSync(dataPath, 'utf8'));
    const peer = await startPeer(relay.wsUrl, dataPath, 1, 3);
    const session = new E2eSession(data.users[0].sessions[0]);
    const peerIdentity = fromBase64(data.users[1].identity);

    const socket = new WebSocket(`${relay.wsUrl}?access_token=${encodeURIComponent(data.users[0].token)}`);
    /** @type {string[]} */
    const answers = [];
    let accepted = 0;
    const done = new Promise((resolve, reject) => {
      socket.on('error', reject);
      socket.on('message', async (/** @type {Buffer} */ raw) => {
        try {
          const frame = decodeFrame(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
          if (frame.type === 'accepted') accepted++;
          if (frame.type !== 'deliver') return;
          assert.ok(frame.sender && bytesEqual(frame.sender, peerIdentity), 'the relay names the authenticated sender');
          answers.push(utf8Decode(await session.open(frame.envelope)));
          socket.send(encodeFrame({ type: 'ack', relayMessageId: frame.relayMessageId }));
          if (answers.length === 3) resolve(undefined);
        } catch (error) {
          reject(error);
        }
      });
    });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const started = performance.now();
    for (let i = 1; i <= 3; i++) {
      const envelope = await session.seal(utf8Encode(`from node ${i}`));
      socket.send(encodeFrame({ type: 'send', clientMessageId: idFromNumber(i), recipient: peerIdentity, envelope }));
    }

    await done;
    t.diagnostic(`3 messages sealed in Node, opened and answered by the C# peer, answers opened in Node: ${(performance.now() - started).toFixed(1)} ms`);
    socket.close();
    assert.deepEqual(answers, ['from node 1', 'from node 2', 'from node 3']);
    assert.equal(accepted, 3);
    assert.equal(await peer.exited, 0, 'the C# peer opened all three and answered');
  });

  it('is refused without a valid token (HTTP 401)', async () => {
    const socket = new WebSocket(`${relay.wsUrl}?access_token=not-a-token`);
    const status = await new Promise((resolve) => {
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode));
      socket.on('open', () => resolve('opened'));
      socket.on('error', () => undefined);
    });
    assert.equal(status, 401);
    socket.terminate();
  });
});
