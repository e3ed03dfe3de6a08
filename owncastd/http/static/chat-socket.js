// The chat websocket with reconnection. After a close (server restart, network drop, refused
// upgrade) it waits an exponential, jittered delay (1 s → 30 s) and tries again until stopped.
// A connection that stays silent after we sent something is presumed dead and replaced: a
// half-open TCP connection otherwise only fails minutes later.

import { backoffDelay, parseFrame } from './chat-protocol.js';

const SILENT_AFTER_SEND_MS = 15000;

export class ChatSocket {
  #url;
  #onEvent;
  #onState;
  #random;
  #ws = null;
  #attempt = 0;
  #retryTimer = null;
  #silenceTimer = null;
  #stopped = true;
  #connecting = false;

  /**
   * @param {{url: () => Promise<string|null>, onEvent: (event: object) => void,
   *          onState: (state: 'open'|'closed') => void, random?: () => number}} options
   *   url: the URL to open now, or null to skip this attempt (e.g. chat is disabled).
   */
  constructor({ url, onEvent, onState, random = Math.random }) {
    this.#url = url;
    this.#onEvent = onEvent;
    this.#onState = onState;
    this.#random = random;
  }

  /** True while a websocket is open. */
  get open() {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Connect now and keep reconnecting until stop(). */
  start() {
    this.#stopped = false;
    this.#connect();
  }

  /** Close and stop reconnecting. */
  stop() {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#drop();
  }

  /** The server accepted us (CONNECTED_USER_INFO): later drops start again at 1 s. */
  resetBackoff() {
    this.#attempt = 0;
  }

  /** Drop the current connection (if any) and connect again at once. */
  reconnectNow() {
    if (this.#stopped) return;
    clearTimeout(this.#retryTimer);
    this.#drop();
    this.#connect();
  }

  /** Send one event; false when not connected (nothing is queued for later). */
  send(event) {
    if (!this.open) return false;
    this.#ws.send(JSON.stringify(event));
    if (this.#silenceTimer === null) {
      this.#silenceTimer = setTimeout(() => {
        this.#silenceTimer = null;
        console.warn('chat: no answer after sending; reconnecting');
        this.reconnectNow();
      }, SILENT_AFTER_SEND_MS);
    }
    return true;
  }

  #drop() {
    clearTimeout(this.#silenceTimer);
    this.#silenceTimer = null;
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        // Already closing.
      }
      this.#onState('closed');
    }
  }

  #scheduleRetry() {
    if (this.#stopped) return;
    clearTimeout(this.#retryTimer);
    const delay = backoffDelay(this.#attempt, this.#random);
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  async #connect() {
    if (this.#stopped || this.#connecting || this.#ws) return;
    this.#connecting = true;
    let url = null;
    try {
      url = await this.#url();
    } catch (err) {
      console.warn('chat: cannot prepare the connection', err);
    } finally {
      this.#connecting = false;
    }
    if (this.#stopped || this.#ws) return;
    if (!url) {
      this.#scheduleRetry();
      return;
    }
    const ws = new WebSocket(url);
    this.#ws = ws;
    ws.onopen = () => this.#onState('open');
    ws.onmessage = (message) => {
      clearTimeout(this.#silenceTimer);
      this.#silenceTimer = null;
      for (const event of parseFrame(message.data)) this.#onEvent(event);
    };
    ws.onclose = () => {
      if (this.#ws !== ws) return;
      this.#drop();
      this.#scheduleRetry();
    };
  }
}
