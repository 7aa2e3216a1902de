// k6/websockets stand-in over the `ws` package, with the browser-style handlers k6 exposes.
import WS from 'ws';

/** Sockets not yet closed; the runner waits for this to reach zero, as k6 waits for an iteration. */
export const open = new Set();

export class WebSocket {
  /** @param {string} url */
  constructor(url) {
    /** @type {string} */
    this.binaryType = 'arraybuffer';
    /** @type {() => void} */
    this.onopen = () => undefined;
    /** @type {(event: { data: ArrayBuffer }) => void} */
    this.onmessage = () => undefined;
    /** @type {(event: { error: string }) => void} */
    this.onerror = () => undefined;
    this.socket = new WS(url);
    open.add(this);
    this.socket.on('open', () => this.onopen());
    this.socket.on('message', (/** @type {Buffer} */ data) => this.onmessage({ data: new Uint8Array(data).buffer }));
    this.socket.on('error', (error) => this.onerror({ error: error.message }));
    this.socket.on('close', () => open.delete(this));
  }

  /** @param {ArrayBuffer} data */
  send(data) {
    this.socket.send(data);
  }

  close() {
    this.socket.close();
  }
}
