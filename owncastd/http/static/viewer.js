// The stream view shared by the full page and the embed: it turns /api/status answers into
// the online/offline state (player vs offline panel), the stream title and the viewer count.

import { byId, setHTML, setText, show } from './dom.js';
import { lowLatencyUrl } from './llhls.js';
import { Player } from './player.js';

export const DEFAULT_OFFLINE_MESSAGE = 'This stream is offline. Check back soon!';

/** "5 minutes ago"-style text for the gap between two ISO times (null when unknown). */
export function relativeTime(thenIso, nowIso) {
  const then = Date.parse(thenIso ?? '');
  const now = Date.parse(nowIso ?? '') || Date.now();
  if (Number.isNaN(then)) return null;
  const seconds = Math.round((then - now) / 1000);
  const units = [
    ['year', 31536000],
    ['month', 2592000],
    ['week', 604800],
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(0, 'minute');
}

export class StreamView {
  #els;
  #config = null;
  #status = null;
  #online = null;

  /** @param {{onEnded?: () => void}} options onEnded: the stream's playlist ended */
  constructor({ onEnded } = {}) {
    this.#els = {
      frame: byId('player-frame'),
      video: byId('player'),
      loading: byId('player-loading'),
      banner: byId('offline-banner'),
      offlineTitle: byId('offline-title'),
      offlineLogo: byId('offline-logo'),
      offlineMessage: byId('offline-message'),
      lastLive: byId('last-live'),
      streamTitle: byId('stream-title'),
      liveBadge: byId('live-badge'),
      viewerCount: byId('viewer-count'),
      viewerCountValue: byId('viewer-count-value'),
    };
    this.player = new Player({
      video: this.#els.video,
      quality: byId('quality-select'),
      qualityWrap: byId('quality'),
      unmute: byId('unmute'),
      playButton: byId('play-button'),
      message: byId('player-message'),
      onEnded,
    });
  }

  /** Use the web config (/api/config): names, offline message, hidden viewer count. */
  setConfig(config) {
    this.#config = config ?? null;
    this.player.useLowLatency(lowLatencyUrl(this.#config));
    this.#renderOfflinePanel();
    this.#renderDetails();
  }

  /** Apply one /api/status answer. */
  applyStatus(status) {
    this.#status = status ?? {};
    const online = Boolean(this.#status.online);
    if (online !== this.#online) {
      this.#online = online;
      document.body.dataset.streamState = online ? 'online' : 'offline';
      show(this.#els.loading, false);
      show(this.#els.video, online);
      show(this.#els.banner, !online);
      show(this.#els.liveBadge, online);
      this.#els.frame?.classList.toggle('is-online', online);
      if (online) this.player.attach();
      else this.player.detach();
    }
    this.#renderOfflinePanel();
    this.#renderDetails();
  }

  #renderDetails() {
    const status = this.#status ?? {};
    const config = this.#config ?? {};
    const title = status.streamTitle || config.streamTitle || '';
    setText(this.#els.streamTitle, title);
    show(this.#els.streamTitle, Boolean(title));

    const count = status.viewerCount ?? 0; // omitted when 0 (Owncast omitempty)
    const visible = this.#online === true && !config.hideViewerCount && Number.isFinite(count);
    if (visible) {
      const number = new Intl.NumberFormat().format(count);
      setText(this.#els.viewerCountValue, number);
      this.#els.viewerCount?.setAttribute(
        'aria-label',
        `${number} ${count === 1 ? 'viewer' : 'viewers'}`,
      );
      this.#els.viewerCount?.setAttribute('title', `${number} watching now`);
    }
    show(this.#els.viewerCount, visible);
  }

  #renderOfflinePanel() {
    const config = this.#config ?? {};
    if (config.name) setText(this.#els.offlineTitle, config.name);
    if (this.#els.offlineLogo && config.logo) this.#els.offlineLogo.src = config.logo;
    const message = typeof config.offlineMessage === 'string' ? config.offlineMessage.trim() : '';
    if (message) setHTML(this.#els.offlineMessage, message);
    else setText(this.#els.offlineMessage, DEFAULT_OFFLINE_MESSAGE);

    const status = this.#status ?? {};
    const ago = status.lastDisconnectTime
      ? relativeTime(status.lastDisconnectTime, status.serverTime)
      : null;
    setText(this.#els.lastLive, ago ? `Last live ${ago}.` : '');
    show(this.#els.lastLive, Boolean(ago));
  }
}
