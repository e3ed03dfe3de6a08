// Chat over HTTP: registration (kept in localStorage), history and the moderator routes.
// Every request has a deadline; tokens only ever travel in the query string Owncast expects.

import { fetchWithin } from './api.js';

const STORAGE_KEY = 'owncastd.chat.identity';

/** The server refused our token (unknown, disabled user or banned address). */
export class UnauthorizedError extends Error {}

async function request(path, { method = 'GET', body } = {}) {
  const init = {
    method,
    cache: 'no-store',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  return fetchWithin(path, init, async (response) => {
    if (response.status === 401) throw new UnauthorizedError(`${method} ${path.split('?')[0]}`);
    if (!response.ok) {
      let message = `HTTP ${response.status}`;
      try {
        message = (await response.json()).message || message;
      } catch {
        // Not JSON: keep the status.
      }
      throw new Error(message);
    }
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  });
}

const withToken = (path, token) => `${path}?${new URLSearchParams({ accessToken: token })}`;

/** The stored {id, accessToken, displayName}, or null. */
export function loadIdentity(storage = globalThis.localStorage) {
  try {
    const identity = JSON.parse(storage?.getItem(STORAGE_KEY) ?? 'null');
    if (identity && typeof identity.accessToken === 'string' && identity.accessToken) {
      return identity;
    }
  } catch {
    // Unreadable storage or JSON: register again.
  }
  return null;
}

/** Keep {id, accessToken, displayName} for the next visit (storage may be unavailable). */
export function saveIdentity(identity, storage = globalThis.localStorage) {
  try {
    if (identity) {
      const { id, accessToken, displayName } = identity;
      storage?.setItem(STORAGE_KEY, JSON.stringify({ id, accessToken, displayName }));
    } else storage?.removeItem(STORAGE_KEY);
  } catch {
    // Private mode or a full quota: this visit still works.
  }
}

/** POST /api/chat/register; keeps the old display name when we had one. */
export async function register(displayName) {
  const identity = await request('/api/chat/register', {
    method: 'POST',
    body: displayName ? { displayName } : {},
  });
  if (!identity || typeof identity.accessToken !== 'string') {
    throw new Error('register: no access token in the answer');
  }
  saveIdentity(identity);
  return identity;
}

/** The stored identity, or a fresh registration. */
export async function ensureIdentity() {
  return loadIdentity() ?? register();
}

/** GET /api/chat?accessToken= → the newest visible messages, oldest first. */
export async function fetchHistory(token) {
  const history = await request(withToken('/api/chat', token));
  return Array.isArray(history) ? history : [];
}

/** Moderator: hide (visible=false) or show messages. */
export const setMessageVisibility = (token, ids, visible) =>
  request(withToken('/api/chat/messagevisibility', token), {
    method: 'POST',
    body: { idArray: ids, visible },
  });

/** Moderator: ban (enabled=false) or re-enable a user. */
export const setUserEnabled = (token, userId, enabled) =>
  request(withToken('/api/chat/users/setenabled', token), {
    method: 'POST',
    body: { userId, enabled },
  });
