// Fetch helpers for the public Owncast API. Every request has a deadline.

const DEFAULT_TIMEOUT_MS = 8000;

/** GET a JSON document; rejects on network errors, timeouts and non-2xx answers. */
export async function getJSON(path, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(path, {
      cache: 'no-store',
      signal: controller.signal,
      headers: { Accept: 'application/json' },
    });
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
    return await response.json();
  } finally {
    clearTimeout(timer);
  }
}

/** GET /api/config. */
export const fetchConfig = () => getJSON('/api/config');

/** GET /api/status. */
export const fetchStatus = () => getJSON('/api/status', { timeoutMs: 4500 });

/** GET /api/video/variants → [{index, name}] (an empty list on any failure). */
export async function fetchVariants() {
  try {
    const variants = await getJSON('/api/video/variants');
    return Array.isArray(variants) ? variants : [];
  } catch {
    return [];
  }
}

/** GET /api/ping: tells the server this browser is watching. Failures are ignored. */
export async function ping() {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    await fetch('/api/ping', { cache: 'no-store', signal: controller.signal });
  } catch {
    // A missed ping only makes us count as a viewer a few seconds later.
  } finally {
    clearTimeout(timer);
  }
}
