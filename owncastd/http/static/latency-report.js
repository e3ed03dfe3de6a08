// Playback metrics for POST /api/metrics/playback (Owncast's player report), with the live
// latency this viewer sees. Every second while playing it samples:
//  - latency: wall time now, on the server's clock, minus the program date-time of the frame
//    on screen (hls.js `playingDate`; native players getStartDate() + currentTime). The
//    server's clock comes from `serverTime` of /api/status: offset = serverTime − the middle
//    of the request, from the round trip with the shortest time of the last few.
//  - liveEdgeLatency: the distance to the live edge (hls.js `latency`; native players the
//    seekable end − currentTime).
// Every 10 s it posts the medians of its samples, the bandwidth estimate, the mean fragment
// download time and the errors and quality changes since the last post. Each sample is also
// dispatched on the <video> as a `owncast:playback-metrics` CustomEvent (tools and tests read
// it; no globals).

import { fetchStatus, fetchWithin } from './api.js';

export const METRICS_URL = '/api/metrics/playback';
export const METRICS_EVENT = 'owncast:playback-metrics';
export const SAMPLE_INTERVAL_MS = 1000;
export const REPORT_INTERVAL_MS = 10000;
export const CLOCK_INTERVAL_MS = 60000;
export const MAX_LATENCY_S = 600;
const CLOCK_SAMPLES = 5;

/** `seconds` when it is a usable latency (finite, 0 < s ≤ 600), else null. */
export function usableLatency(seconds) {
  return Number.isFinite(seconds) && seconds > 0 && seconds <= MAX_LATENCY_S ? seconds : null;
}

/** The median of `values` (null when empty). */
export function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One clock sample from a /api/status round trip: {offsetMs, rttMs} or null. */
export function clockSample(sentAt, receivedAt, serverTime) {
  const server = Date.parse(serverTime ?? '');
  if (!Number.isFinite(server) || receivedAt < sentAt) return null;
  return { offsetMs: server - (sentAt + receivedAt) / 2, rttMs: receivedAt - sentAt };
}

/** Distance to the live edge in seconds (null when unknown). */
export function liveEdgeLatency(video, hls) {
  if (hls) return usableLatency(hls.latency);
  const seekable = video.seekable;
  if (!seekable || seekable.length === 0) return null;
  return usableLatency(seekable.end(seekable.length - 1) - video.currentTime);
}

/** Program date-time (epoch ms) of the frame on screen, or null without PROGRAM-DATE-TIME. */
export function playheadDateMs(video, hls) {
  if (hls) {
    const date = hls.playingDate;
    return date ? date.getTime() : null;
  }
  const start = typeof video.getStartDate === 'function' ? video.getStartDate() : null;
  const ms = start ? start.getTime() : NaN;
  return Number.isFinite(ms) ? ms + video.currentTime * 1000 : null;
}

export class LatencyReporter {
  #video;
  #now;
  #hls = null;
  #timers = [];
  #clock = [];
  #samples = { latency: [], edge: [], downloads: [] };
  #counts = { errors: 0, switches: 0, stalls: 0 };

  /** @param {HTMLVideoElement} video @param {{now?: () => number}} options */
  constructor(video, { now = () => Date.now() } = {}) {
    this.#video = video;
    this.#now = now;
  }

  /** Start sampling for a new playback (`hls` null for native HLS; `Hls` its constructor). */
  start(hls, Hls) {
    this.stop();
    this.#hls = hls;
    if (hls && Hls) {
      hls.on(Hls.Events.ERROR, (_event, data) => {
        this.#counts.errors += 1;
        if (data.details === Hls.ErrorDetails.BUFFER_STALLED_ERROR) this.#counts.stalls += 1;
      });
      hls.on(Hls.Events.LEVEL_SWITCHED, () => (this.#counts.switches += 1));
      hls.on(Hls.Events.FRAG_LOADED, (_event, data) => {
        const loading = data.frag?.stats?.loading;
        const ms = loading ? loading.end - loading.start : NaN;
        if (Number.isFinite(ms) && ms >= 0) this.#samples.downloads.push(ms / 1000);
      });
    }
    this.#learnClock();
    this.#timers = [
      setInterval(() => this.#sample(), SAMPLE_INTERVAL_MS),
      setInterval(() => this.#report(), REPORT_INTERVAL_MS),
      setInterval(() => this.#learnClock(), CLOCK_INTERVAL_MS),
    ];
  }

  /** Stop sampling (the player tore its playback down). */
  stop() {
    this.#timers.forEach(clearInterval);
    this.#timers = [];
    this.#hls = null;
    this.#samples = { latency: [], edge: [], downloads: [] };
    this.#counts.errors = 0;
    this.#counts.switches = 0;
  }

  /** Milliseconds to add to this browser's clock to get the server's (0 until learned). */
  get clockOffsetMs() {
    if (this.#clock.length === 0) return 0;
    return this.#clock.reduce((best, s) => (s.rttMs < best.rttMs ? s : best)).offsetMs;
  }

  async #learnClock() {
    const sentAt = this.#now();
    try {
      const status = await fetchStatus();
      const sample = clockSample(sentAt, this.#now(), status?.serverTime);
      if (sample) this.#clock = [...this.#clock, sample].slice(-CLOCK_SAMPLES);
    } catch {
      // Without a server time the browser's own clock stands in (offset 0).
    }
  }

  #sample() {
    const video = this.#video;
    if (video.paused || video.ended) return;
    const hls = this.#hls;
    const edge = liveEdgeLatency(video, hls);
    const dateMs = playheadDateMs(video, hls);
    const seen =
      dateMs === null ? null : usableLatency((this.#now() + this.clockOffsetMs - dateMs) / 1000);
    if (edge !== null) this.#samples.edge.push(edge);
    if (seen !== null) this.#samples.latency.push(seen);
    const detail = {
      latency: seen,
      liveEdgeLatency: edge,
      targetLatency: hls ? usableLatency(hls.targetLatency) : null,
      clockOffsetMs: this.clockOffsetMs,
      stalls: this.#counts.stalls,
      errors: this.#counts.errors,
    };
    video.dispatchEvent(new CustomEvent(METRICS_EVENT, { detail }));
  }

  #report() {
    const { latency, edge, downloads } = this.#samples;
    if (latency.length === 0 && edge.length === 0) return;
    const bandwidth = this.#hls?.bandwidthEstimate;
    const seen = median(latency) ?? median(edge);
    const body = {
      bandwidth: Number.isFinite(bandwidth) && bandwidth > 0 ? bandwidth / 1000 : 0,
      latency: seen ?? 0,
      liveEdgeLatency: median(edge) ?? 0,
      downloadDuration: downloads.length
        ? downloads.reduce((a, b) => a + b, 0) / downloads.length
        : 0,
      errors: this.#counts.errors,
      qualityVariantChanges: Math.max(0, this.#counts.switches - 1),
    };
    this.#samples = { latency: [], edge: [], downloads: [] };
    this.#counts.errors = 0;
    this.#counts.switches = Math.min(this.#counts.switches, 1);
    const init = {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      keepalive: true,
    };
    fetchWithin(METRICS_URL, init, () => undefined, 5000).catch(() => {
      // A lost report is only a gap in the server's figures.
    });
  }
}
