// The HLS player: native HLS where the browser has it (Safari), hls.js elsewhere (loaded
// lazily from /static/vendor/). It starts muted (browsers block unmuted autoplay), offers an
// unmute button and a quality menu, recovers from errors and pings /api/ping while playing.

import { fetchVariants, ping } from './api.js';
import { el, show } from './dom.js';
import { LatencyReporter } from './latency-report.js';
import { chooseStreamUrl, hlsConfigFor } from './llhls.js';

export const STREAM_URL = '/hls/stream.m3u8';
export const HLSJS_URL = '/static/vendor/hls.min.js';
export const PING_INTERVAL_MS = 10000;
const RETRY_DELAY_MS = 3000;
const MEDIA_RECOVERY_WINDOW_MS = 3000;

/** Low-latency friendly hls.js settings for Owncast-style live playlists. */
export const HLSJS_CONFIG = Object.freeze({
  enableWorker: true,
  lowLatencyMode: true,
  liveSyncDurationCount: 3,
  liveMaxLatencyDurationCount: 8,
  maxLiveSyncPlaybackRate: 1.2,
  backBufferLength: 30,
  manifestLoadingMaxRetry: 3,
  levelLoadingMaxRetry: 4,
  fragLoadingMaxRetry: 4,
});

/**
 * Native HLS for Safari (and other WebKit browsers, iOS included). Chromium 141+ also answers
 * canPlayType() for HLS, but its native player has no quality levels or latency control, so
 * there hls.js (Media Source Extensions) is preferred whenever MSE is available.
 */
export function prefersNativeHls(video, nav = navigator, win = window) {
  if (!video.canPlayType('application/vnd.apple.mpegurl')) return false;
  const brands = nav.userAgentData?.brands ?? [];
  const chromium =
    brands.some((b) => /chrom/i.test(b.brand)) || /\b(?:Chrome|Chromium)\//.test(nav.userAgent);
  const mse = 'MediaSource' in win || 'ManagedMediaSource' in win;
  return !(chromium && mse);
}

/** Load hls.min.js once per page; resolves to the Hls constructor. */
export function loadHlsJs(state) {
  if (window.Hls) return Promise.resolve(window.Hls);
  if (!state.loading) {
    state.loading = new Promise((resolve, reject) => {
      const script = el('script', { src: HLSJS_URL });
      script.addEventListener('load', () =>
        window.Hls ? resolve(window.Hls) : reject(new Error('hls.js did not load')),
      );
      script.addEventListener('error', () => {
        state.loading = null;
        script.remove();
        reject(new Error(`cannot load ${HLSJS_URL}`));
      });
      document.head.append(script);
    });
  }
  return state.loading;
}

/** The variant number in a level URL such as http://host/hls/2/stream.m3u8 (or null). */
export function variantIndexFromUrl(url) {
  const match = /\/(\d+)\/[^/]*\.m3u8(?:[?#].*)?$/.exec(String(url ?? ''));
  return match ? Number(match[1]) : null;
}

/** Name each hls.js level from /api/video/variants (by variant number, then by position). */
export function levelNames(levels, variants) {
  return levels.map((level, position) => {
    const index = variantIndexFromUrl(level.url ?? level.uri);
    const byIndex = variants.find((v) => Number(v.index) === index);
    const variant = byIndex ?? (index === null ? variants[position] : undefined);
    if (variant && typeof variant.name === 'string' && variant.name) return variant.name;
    if (level.height) return `${level.height}p`;
    return `Quality ${position + 1}`;
  });
}

export class Player {
  #video;
  #quality;
  #qualityWrap;
  #unmute;
  #playButton;
  #message;
  #onEnded;
  #hls = null;
  #native = false;
  #wanted = false;
  #generation = 0;
  #retryTimer = null;
  #pingTimer = null;
  #lastMediaRecovery = 0;
  #userChoseSound = false;
  #hlsjsState = { loading: null };
  #metrics;
  #lowLatencyUrl = null;
  #lowLatencyFailed = false;

  /**
   * @param {object} parts
   * @param {HTMLVideoElement} parts.video the <video id="player">
   * @param {HTMLSelectElement?} parts.quality the quality <select> (optional)
   * @param {HTMLElement?} parts.qualityWrap the element hidden when there is one quality
   * @param {HTMLButtonElement?} parts.unmute the unmute button
   * @param {HTMLButtonElement?} parts.playButton shown when the browser refused autoplay
   * @param {HTMLElement?} parts.message where playback problems are reported
   * @param {() => void} parts.onEnded called when the stream's playlist ended
   */
  constructor({ video, quality, qualityWrap, unmute, playButton, message, onEnded }) {
    this.#video = video;
    this.#quality = quality ?? null;
    this.#qualityWrap = qualityWrap ?? quality ?? null;
    this.#unmute = unmute ?? null;
    this.#playButton = playButton ?? null;
    this.#message = message ?? null;
    this.#onEnded = onEnded ?? (() => {});
    this.#metrics = new LatencyReporter(video);
    this.#wire();
  }

  /** Whether the player is (or is trying to be) attached to the live stream. */
  get attached() {
    return this.#wanted;
  }

  /** Start playing the live stream (no-op when already attached). */
  attach() {
    if (this.#wanted) return;
    this.#wanted = true;
    this.#start();
  }

  /** Play this LL-HLS master playlist instead of the classic one (null: classic); when the
   * config arrives after playback started, playback restarts on the new playlist. */
  useLowLatency(url) {
    const before = this.#streamUrl();
    this.#lowLatencyUrl = url ?? null;
    if (this.#wanted && this.#streamUrl() !== before) {
      this.#teardown();
      this.#start();
    }
  }

  /** Stop playback and release the stream (the offline panel takes over). */
  detach() {
    this.#wanted = false;
    this.#lowLatencyFailed = false;
    this.#teardown();
    this.#setMessage('');
    show(this.#unmute, false);
    show(this.#playButton, false);
  }

  #wire() {
    const video = this.#video;
    video.addEventListener('playing', () => {
      show(this.#playButton, false);
      this.#setMessage('');
      this.#startPinging();
    });
    video.addEventListener('volumechange', () => this.#syncUnmute());
    video.addEventListener('ended', () => {
      this.#onEnded();
      // The playlist ended (#EXT-X-ENDLIST). If the stream is still or again live, reattach;
      // if it went offline, the status poll detaches us first and cancels this retry.
      if (this.#wanted) this.#scheduleRetry('ended');
    });
    video.addEventListener('error', () => {
      // Native HLS reports its failures here; hls.js reports through its own events (and
      // errors caused by our own teardown arrive after #native is already false).
      if (this.#wanted && this.#native && video.error) this.#scheduleRetry('network');
    });
    this.#unmute?.addEventListener('click', () => {
      this.#userChoseSound = true;
      video.muted = false;
      if (video.volume === 0) video.volume = 1;
      if (video.paused) this.#play();
    });
    this.#playButton?.addEventListener('click', () => {
      this.#userChoseSound = true;
      video.muted = false;
      this.#play();
    });
    this.#quality?.addEventListener('change', () => {
      if (!this.#hls) return;
      const value = this.#quality.value;
      this.#hls.currentLevel = value === 'auto' ? -1 : Number(value);
    });
  }

  async #start() {
    const generation = ++this.#generation;
    clearTimeout(this.#retryTimer);
    this.#setQualityOptions([]);
    const video = this.#video;
    video.poster = `/thumbnail.jpg?t=${Date.now()}`;
    if (!this.#userChoseSound) video.muted = true;
    const Hls = await this.#hlsConstructor();
    if (generation !== this.#generation || !this.#wanted) return;
    if (Hls?.isSupported()) {
      this.#startHlsJs(Hls, generation);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      this.#native = true;
      video.src = this.#streamUrl();
      this.#metrics.start(null, null);
      this.#play();
    } else {
      this.#setMessage('This browser cannot play live video (no HLS or Media Source support).');
    }
  }

  /** hls.js, or null when the browser plays HLS natively (or hls.js cannot load). */
  async #hlsConstructor() {
    if (prefersNativeHls(this.#video)) return null;
    try {
      return await loadHlsJs(this.#hlsjsState);
    } catch (err) {
      console.warn('player: hls.js unavailable', err);
      if (this.#video.canPlayType('application/vnd.apple.mpegurl')) return null;
      this.#setMessage('The video player could not be loaded. Retrying…');
      this.#scheduleRetry('load');
      return null;
    }
  }

  #startHlsJs(Hls, generation) {
    const url = this.#streamUrl();
    const hls = new Hls(hlsConfigFor(HLSJS_CONFIG, url !== STREAM_URL));
    this.#hls = hls;
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      if (generation !== this.#generation) return;
      this.#setupQuality(hls, generation);
      this.#play();
    });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (generation !== this.#generation || !data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        const now = Date.now();
        if (now - this.#lastMediaRecovery < MEDIA_RECOVERY_WINDOW_MS) hls.swapAudioCodec();
        this.#lastMediaRecovery = now;
        console.warn('player: media error, recovering', data.details);
        hls.recoverMediaError();
        return;
      }
      console.warn('player: fatal error, retrying', data.type, data.details);
      if (data.details === Hls.ErrorDetails.MANIFEST_LOAD_ERROR) this.#lowLatencyFailed = true;
      this.#scheduleRetry(data.type === Hls.ErrorTypes.NETWORK_ERROR ? 'network' : 'other');
    });
    this.#metrics.start(hls, Hls);
    hls.loadSource(url);
    hls.attachMedia(this.#video);
  }

  #streamUrl() {
    return chooseStreamUrl(STREAM_URL, this.#lowLatencyUrl, this.#lowLatencyFailed);
  }

  async #setupQuality(hls, generation) {
    const levels = hls.levels ?? [];
    if (levels.length < 2) {
      this.#setQualityOptions([]);
      return;
    }
    const variants = await fetchVariants();
    if (generation !== this.#generation) return;
    this.#setQualityOptions(levelNames(levels, variants));
  }

  #setQualityOptions(names) {
    if (!this.#quality) return;
    const options = [el('option', { value: 'auto', text: 'Auto' })];
    // hls.js orders levels by bitrate, lowest first; list the best quality first.
    for (let level = names.length - 1; level >= 0; level--) {
      options.push(el('option', { value: String(level), text: names[level] }));
    }
    this.#quality.replaceChildren(...options);
    this.#quality.value = 'auto';
    show(this.#qualityWrap, names.length > 1);
  }

  async #play() {
    const video = this.#video;
    try {
      await video.play();
    } catch (err) {
      if (!this.#wanted) return;
      if (err.name === 'NotAllowedError' && !video.muted) {
        video.muted = true; // Sound was refused: fall back to muted autoplay.
        try {
          await video.play();
          return;
        } catch {
          // fall through to the play button
        }
      }
      if (err.name !== 'AbortError') show(this.#playButton, true);
    } finally {
      this.#syncUnmute();
    }
  }

  #syncUnmute() {
    show(this.#unmute, this.#wanted && (this.#video.muted || this.#video.volume === 0));
  }

  #startPinging() {
    if (this.#pingTimer) return;
    ping();
    this.#pingTimer = setInterval(() => {
      if (this.#wanted && !this.#video.paused && !this.#video.ended) ping();
      else this.#stopPinging();
    }, PING_INTERVAL_MS);
  }

  #stopPinging() {
    clearInterval(this.#pingTimer);
    this.#pingTimer = null;
  }

  #scheduleRetry(reason) {
    this.#teardown();
    if (!this.#wanted) return;
    if (reason === 'network') this.#setMessage('Reconnecting to the stream…');
    this.#retryTimer = setTimeout(() => {
      if (this.#wanted) this.#start();
    }, RETRY_DELAY_MS);
  }

  #teardown() {
    this.#generation++;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#stopPinging();
    this.#metrics.stop();
    this.#native = false;
    if (this.#hls) {
      this.#hls.destroy();
      this.#hls = null;
    }
    const video = this.#video;
    video.pause();
    if (video.hasAttribute('src')) {
      video.removeAttribute('src');
      video.load();
    }
    this.#setQualityOptions([]);
  }

  #setMessage(text) {
    if (!this.#message) return;
    this.#message.textContent = text;
    show(this.#message, Boolean(text));
  }
}
