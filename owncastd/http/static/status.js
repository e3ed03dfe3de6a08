// Polls /api/status every few seconds (and at once when the tab becomes visible again)
// and hands each answer to a callback, so the page follows the stream without a reload.

import { fetchStatus } from './api.js';

export const STATUS_INTERVAL_MS = 5000;

export class StatusPoller {
  #onStatus;
  #onError;
  #intervalMs;
  #timer = null;
  #inFlight = false;
  #again = false;

  /**
   * @param {(status: object) => void} onStatus called with every successful answer
   * @param {{intervalMs?: number, onError?: (err: Error) => void}} options
   */
  constructor(onStatus, { intervalMs = STATUS_INTERVAL_MS, onError = () => {} } = {}) {
    this.#onStatus = onStatus;
    this.#onError = onError;
    this.#intervalMs = intervalMs;
  }

  /** Poll now and then every interval; re-poll immediately when the page becomes visible. */
  start() {
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.pollNow();
    });
    this.pollNow();
  }

  /** Poll right away (coalesced with a poll already under way). */
  pollNow() {
    clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#poll();
  }

  async #poll() {
    this.#inFlight = true;
    try {
      this.#onStatus(await fetchStatus());
    } catch (err) {
      this.#onError(err);
    } finally {
      this.#inFlight = false;
      if (this.#again) {
        this.#again = false;
        this.#poll();
      } else {
        this.#timer = setTimeout(() => this.pollNow(), this.#intervalMs);
      }
    }
  }
}
