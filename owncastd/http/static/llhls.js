// Low-latency HLS (issue 13): /api/config names the LL-HLS master playlist
// (`lowLatencyStream`) only when the server serves it. The player plays it then (hls.js has
// lowLatencyMode on; Safari plays LL-HLS natively) and falls back to the classic playlist for
// the rest of the attachment when it cannot be loaded (e.g. switched on mid-stream: LL-HLS
// starts with the next stream).

/** The LL-HLS master playlist URL from /api/config, or null when not served. */
export function lowLatencyUrl(config) {
  const url = config?.lowLatencyStream;
  return typeof url === 'string' && /^\/hls\/[A-Za-z0-9/._-]+\.m3u8$/.test(url) ? url : null;
}

/** Which playlist to load: LL-HLS when served and not failed in this attachment. */
export function chooseStreamUrl(classicUrl, llUrl, llFailed) {
  return llUrl && !llFailed ? llUrl : classicUrl;
}

/**
 * hls.js settings for a playlist: for LL-HLS without the classic live-sync counts, which
 * would override the playlist's PART-HOLD-BACK (hls.js lets a user-set liveSyncDuration or
 * liveSyncDurationCount win), keeping playback three whole segments behind.
 */
export function hlsConfigFor(base, lowLatency) {
  if (!lowLatency) return { ...base };
  const { liveSyncDurationCount, liveMaxLatencyDurationCount, ...rest } = base;
  return rest;
}
