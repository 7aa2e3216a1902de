// A WebSocket proxy in front of a real relay, for the Node tests: it records each handshake (the
// path and headers on the wire) and forwards frames both ways, dropping any frame a test's rule
// picks, the way a relay that loses a message would.

import WebSocket, { WebSocketServer } from 'ws';
import { decodeFrame } from '../lib/frames.js';

/**
 * @typedef {(frame: ReturnType<typeof decodeFrame>, toClient: boolean) => boolean} DropRule
 */

/**
 * Starts the proxy on a free loopback port.
 * @param {string} relayWsUrl ws://HOST:PORT/ws of the relay
 * @param {DropRule} [drop] true drops the frame
 */
export async function startProxy(relayWsUrl, drop = () => false) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  /** @type {{ url: string, headers: import('node:http').IncomingHttpHeaders }[]} */
  const handshakes = [];
  let dropped = 0;
  const forward = (/** @type {WebSocket} */ to, /** @type {Buffer} */ data, /** @type {boolean} */ toClient) => {
    if (drop(decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)), toClient)) {
      dropped++;
      return;
    }
    if (to.readyState === WebSocket.OPEN) to.send(data);
  };
  server.on('connection', (client, request) => {
    handshakes.push({ url: request.url ?? '', headers: request.headers });
    const upstream = new WebSocket(relayWsUrl, { headers: request.headers.authorization ? { authorization: request.headers.authorization } : {} });
    /** @type {Buffer[]} */
    const early = [];
    client.on('message', (/** @type {Buffer} */ data) => (upstream.readyState === WebSocket.OPEN ? forward(upstream, data, false) : early.push(data)));
    upstream.on('open', () => early.splice(0).forEach((data) => forward(upstream, data, false)));
    upstream.on('message', (/** @type {Buffer} */ data) => forward(client, data, true));
    upstream.on('close', (code) => (code === 1000 ? client.close() : client.terminate()));
    upstream.on('error', () => client.terminate());
    client.on('close', () => upstream.close());
    client.on('error', () => upstream.terminate());
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    wsUrl: `ws://127.0.0.1:${address.port}/ws`,
    handshakes,
    dropped: () => dropped,
    stop: () => server.close(),
  };
}
