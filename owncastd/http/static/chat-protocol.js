// Pure helpers for Owncast's chat protocol (no DOM, no network): frame parsing, payload size,
// reconnect backoff, user flags and history reconciliation. Tested with `node --test`.

/** Owncast's default maxSocketPayloadSize: the biggest inbound frame the server accepts. */
export const MAX_PAYLOAD_BYTES = 2048;
/** Owncast's MaxUserColor: display colours are indexes 0..7. */
export const MAX_USER_COLOR = 7;
/** Longest display name the server keeps. */
export const MAX_NAME_LENGTH = 30;

export const BACKOFF_FIRST_MS = 1000;
export const BACKOFF_MAX_MS = 30000;

const encoder = new TextEncoder();

/**
 * Split one websocket frame into events. Owncast joins queued events with "\n" in one frame;
 * lines that are not JSON objects with a string `type` are skipped.
 */
export function parseFrame(data) {
  if (typeof data !== 'string') return [];
  const events = [];
  for (const line of data.split('\n')) {
    const text = line.trim();
    if (!text) continue;
    try {
      const event = JSON.parse(text);
      if (event && typeof event === 'object' && typeof event.type === 'string') events.push(event);
    } catch {
      // One bad line does not spoil the others.
    }
  }
  return events;
}

/** The UTF-8 size of the frame that sending `event` would produce. */
export function payloadBytes(event) {
  return encoder.encode(JSON.stringify(event)).length;
}

/** The CHAT frame for a message body. */
export const chatEvent = (body) => ({ type: 'CHAT', body });

/** How a draft compares with the size limit: {bytes, limit, over, near}. */
export function draftSize(body, limit = MAX_PAYLOAD_BYTES) {
  const bytes = payloadBytes(chatEvent(body));
  return { bytes, limit, over: bytes > limit, near: bytes > limit * 0.8 };
}

/**
 * Reconnect delay before attempt `attempt` (0-based): exponential from 1 s, capped at 30 s,
 * with "equal jitter" (between half and all of the step) so clients do not reconnect in step.
 */
export function backoffDelay(attempt, random = Math.random) {
  const step = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, attempt));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Moderator flag: Owncast's only wire signal is MODERATOR in user.scopes. */
export function isModerator(user) {
  return Array.isArray(user?.scopes) && user.scopes.includes('MODERATOR');
}

/** A display colour index 0..7 (anything else → 0). */
export function colorIndex(value) {
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= MAX_USER_COLOR ? n : 0;
}

/** A display name as shown: a string, trimmed, never empty. */
export function displayName(user, fallback = 'Someone') {
  const name = typeof user?.displayName === 'string' ? user.displayName.trim() : '';
  return name || fallback;
}

/** Milliseconds since the epoch for an event's RFC 3339 timestamp (NaN when missing). */
export const eventTime = (event) => Date.parse(event?.timestamp ?? '');

/**
 * Messages we show that a fresh history says are gone (hidden, or their author banned) while
 * we were away: CHAT rows we hold whose time lies inside the history's window but whose id
 * the history lacks. `shown` and `history` are lists of {id, type, timestamp}.
 */
export function staleMessageIds(shown, history) {
  const times = history.map(eventTime).filter((t) => !Number.isNaN(t));
  if (times.length === 0) return [];
  const first = Math.min(...times);
  const last = Math.max(...times);
  const present = new Set(history.map((item) => item.id));
  return shown
    .filter((item) => item.type === 'CHAT' && !present.has(item.id))
    .filter((item) => {
      const t = eventTime(item);
      return t >= first && t <= last;
    })
    .map((item) => item.id);
}

/** http(s) links only, resolved against `base`; anything else (javascript:, data:) → null. */
export function safeHref(href, base) {
  if (typeof href !== 'string' || href.trim() === '') return null;
  try {
    const url = new URL(href, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

// An emoji file name (the server's upload charset), optionally under pack directories.
const EMOJI_SEGMENT = '[A-Za-z0-9][A-Za-z0-9_.-]{0,127}';
const EMOJI_PATH = new RegExp(`^/img/emoji/${EMOJI_SEGMENT}(?:/${EMOJI_SEGMENT}){0,3}$`);

/**
 * Emoji images are only ever served by this server under /img/emoji/. `src` must be such a
 * path as written, and must still be one once the browser has resolved it against `base` (the
 * page): same origin, and no normalisation (`%2e%2e`, `\`, `./`) changed the path, so an
 * emoji can never make a viewer's browser GET anything else (an admin action, say).
 */
export function isEmojiSrc(src, base = globalThis.location?.href) {
  if (typeof src !== 'string' || typeof base !== 'string' || !EMOJI_PATH.test(src)) return false;
  try {
    const origin = new URL(base).origin;
    const url = new URL(src, origin);
    return url.origin === origin && url.pathname.startsWith('/img/emoji/') && url.pathname === src;
  } catch {
    return false;
  }
}

/** The websocket URL for a token: same host (or the admin's socketHostOverride), ws/wss. */
export function socketUrl(location, token, hostOverride) {
  let base = new URL('/ws', location.href);
  if (typeof hostOverride === 'string' && hostOverride.trim()) {
    try {
      const override = hostOverride.includes('://')
        ? new URL(hostOverride)
        : new URL(`${base.protocol}//${hostOverride}`);
      base = new URL('/ws', override);
    } catch {
      // A malformed override falls back to this page's host.
    }
  }
  base.protocol = base.protocol === 'https:' || base.protocol === 'wss:' ? 'wss:' : 'ws:';
  base.search = new URLSearchParams({ accessToken: token }).toString();
  return base.href;
}
