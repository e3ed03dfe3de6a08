// Past broadcasts (issue 14): while the stream is offline and the server publishes replays
// (/api/config has `replays: true`), a list of them under the player; choosing one plays it in
// the page's <video> with hls.js (or native HLS), until it is closed or the stream goes live.

import { getJSON } from './api.js';
import { byId, el, setText, show } from './dom.js';
import { HLSJS_URL, loadHlsJs, prefersNativeHls } from './player.js';

export const REPLAYS_URL = '/api/replays';
const STYLESHEET = '/static/replays.css';

/** `1:02:03` / `4:05`. */
export function clockText(seconds) {
  const total = Math.max(0, Math.round(Number(seconds) || 0));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** `Mar 1, 2026` in the viewer's locale (the raw text when unreadable). */
export function dateText(iso) {
  const when = new Date(iso ?? '');
  if (Number.isNaN(when.getTime())) return String(iso ?? '');
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(when);
}

export class PastBroadcasts {
  #enabled = false;
  #online = null;
  #section = null;
  #list = null;
  #nowPlaying = null;
  #hls = null;
  #hlsjsState = { loading: null };
  #playing = null;

  /** Use /api/config: replays are listed only when the server publishes them. */
  setConfig(config) {
    this.#enabled = config?.replays === true;
    if (this.#online === false) this.#refresh();
  }

  /** Apply one /api/status answer: list replays while offline, stop one when going live. */
  applyStatus(status) {
    const online = Boolean(status?.online);
    if (online === this.#online) return;
    this.#online = online;
    if (online) {
      this.#stop();
      show(this.#section, false);
    } else {
      this.#refresh();
    }
  }

  async #refresh() {
    if (!this.#enabled) return;
    let replays;
    try {
      replays = await getJSON(REPLAYS_URL);
    } catch (err) {
      console.warn('replays: list failed', err);
      return;
    }
    if (this.#online !== false) return;
    const shown = Array.isArray(replays) ? replays.filter((r) => r && r.playlistUrl) : [];
    if (!shown.length) {
      show(this.#section, false);
      return;
    }
    this.#render(shown);
  }

  #ensureSection() {
    if (this.#section) return;
    if (!document.querySelector(`link[href="${STYLESHEET}"]`)) {
      document.head.append(el('link', { rel: 'stylesheet', href: STYLESHEET }));
    }
    this.#nowPlaying = el('p', { class: 'replay-now', role: 'status' });
    this.#list = el('ul', { class: 'replay-list' });
    this.#section = el(
      'section',
      { id: 'replays', class: 'replays', 'aria-labelledby': 'replays-heading' },
      el('h2', { id: 'replays-heading', class: 'replays-heading', text: 'Past broadcasts' }),
      this.#nowPlaying,
      this.#list,
    );
    show(this.#nowPlaying, false);
    const after = document.querySelector('.player-section');
    if (after) after.after(this.#section);
    else document.body.append(this.#section);
  }

  #render(replays) {
    this.#ensureSection();
    const items = replays.map((replay) => {
      const title = replay.title || 'Untitled broadcast';
      const meta = `${dateText(replay.startedAt)} · ${clockText(replay.duration)}`;
      const thumb = replay.thumbnailUrl
        ? el('img', { class: 'replay-thumb', src: replay.thumbnailUrl, alt: '', loading: 'lazy' })
        : el('span', { class: 'replay-thumb', 'aria-hidden': 'true' });
      const button = el(
        'button',
        {
          type: 'button',
          class: 'replay-item',
          'data-replay-id': replay.id,
          'aria-label': `Play ${title}, ${meta}`,
          onclick: () => this.#play(replay),
        },
        thumb,
        el('span', { class: 'replay-title', text: title }),
        el('span', { class: 'replay-meta', text: meta }),
      );
      return el('li', {}, button);
    });
    this.#list.replaceChildren(...items);
    show(this.#section, true);
  }

  async #play(replay) {
    this.#stop();
    const video = byId('player');
    if (!video) return;
    this.#playing = replay.id;
    document.body.dataset.replay = replay.id;
    show(byId('offline-banner'), false);
    show(video, true);
    video.setAttribute('aria-label', `Replay: ${replay.title || 'past broadcast'}`);
    video.muted = false;
    this.#showNowPlaying(replay);
    let Hls = null;
    if (!prefersNativeHls(video)) {
      try {
        Hls = await loadHlsJs(this.#hlsjsState);
      } catch (err) {
        console.warn(`replays: ${HLSJS_URL} unavailable`, err);
      }
    }
    if (this.#playing !== replay.id) return;
    if (Hls?.isSupported()) {
      this.#hls = new Hls();
      this.#hls.loadSource(replay.playlistUrl);
      this.#hls.attachMedia(video);
    } else {
      video.src = replay.playlistUrl;
    }
    video.play().catch((err) => console.warn('replays: play refused', err.name));
  }

  #showNowPlaying(replay) {
    const close = el('button', {
      type: 'button',
      class: 'replay-close',
      text: 'Close replay',
      onclick: () => this.#stop(),
    });
    this.#nowPlaying.replaceChildren(
      el('span', { text: `Now playing: ${replay.title || 'Untitled broadcast'}` }),
      close,
    );
    show(this.#nowPlaying, true);
    close.focus();
  }

  #stop() {
    if (this.#playing === null) return;
    this.#playing = null;
    delete document.body.dataset.replay;
    if (this.#hls) {
      this.#hls.destroy();
      this.#hls = null;
    }
    const video = byId('player');
    if (video) {
      video.pause();
      if (video.hasAttribute('src')) {
        video.removeAttribute('src');
        video.load();
      }
      video.setAttribute('aria-label', 'Live stream');
      if (this.#online === false) {
        show(video, false);
        show(byId('offline-banner'), true);
      }
    }
    setText(this.#nowPlaying, '');
    show(this.#nowPlaying, false);
  }
}
