// k6/websockets stand-in over the `ws` package, with the browser-style handlers k6 exposes and
// k6's behaviour where the script depends on it: params.headers go on the handshake; every
// built-in ws_* sample carries the `url` and `name` tags, both the URL unless params.tags.name is
// set (then both that name, as in k6 >= 0.41); a message event's `timestamp` is when the frame
// was read (fractional ms); an unexpected close fires onerror, then onclose; send() on a socket
// that is not open throws.
import WS from 'ws';
import { emit } from './metrics.js';

/** Sockets not yet closed; the runner waits for this to reach zero, as k6 waits for an iteration. */
export const open = new Set();

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

export class WebSocket {
  static CONNECTING = CONNECTING;
  static OPEN = OPEN;
  static CLOSING = CLOSING;
  static CLOSED = CLOSED;

  /**
   * @param {string} url
   * @param {null} [_protocols]
   * @param {{ headers?: Record<string, string>, tags?: Record<string, string> } | null} [params]
   */
  constructor(url, _protocols, params) {
    /** @type {string} */
    this.binaryType = 'blob';
    this.readyState = CONNECTING;
    /** @type {() => void} */
    this.onopen = () => undefined;
    /** @type {(event: { data: ArrayBuffer, timestamp: number }) => void} */
    this.onmessage = () => undefined;
    /** @type {(event: { error: string }) => void} */
    this.onerror = () => undefined;
    /** @type {() => void} */
    this.onclose = () => undefined;
    const name = params?.tags?.name ?? url;
    /** @type {Record<string, string>} */
    this.tags = { ...(params?.tags ?? {}), url: name, name };
    this.closing = false;
    const started = performance.now();
    this.socket = new WS(url, { headers: params?.headers ?? {} });
    open.add(this);
    this.socket.on('open', () => {
      this.readyState = OPEN;
      emit('ws_connecting', 'trend', performance.now() - started, this.tags);
      emit('ws_sessions', 'counter', 1, this.tags);
      this.onopen();
    });
    this.socket.on('message', (/** @type {Buffer} */ data) => {
      const timestamp = performance.timeOrigin + performance.now();
      if (this.readyState !== OPEN) return;
      emit('ws_msgs_received', 'counter', 1, this.tags);
      this.onmessage({ data: new Uint8Array(data).buffer, timestamp });
    });
    this.socket.on('error', (error) => {
      this.failure = error.message;
    });
    this.socket.on('close', (code) => {
      const unexpected = !this.closing && code !== 1000 && code !== 1001;
      this.readyState = CLOSED;
      open.delete(this);
      if (unexpected || this.failure) this.onerror({ error: this.failure ?? `websocket: close ${code} (abnormal closure)` });
      this.onclose();
    });
  }

  /** @param {ArrayBuffer} data */
  send(data) {
    if (this.readyState !== OPEN) throw new Error('InvalidStateError: the WebSocket is not open');
    this.socket.send(data);
    emit('ws_msgs_sent', 'counter', 1, this.tags);
  }

  close() {
    this.closing = true;
    if (this.readyState === OPEN || this.readyState === CONNECTING) this.readyState = CLOSING;
    this.socket.close();
  }

  /** Ends the connection at once, as k6 does when the test is interrupted. */
  terminate() {
    this.closing = true;
    this.socket.terminate();
  }
}
