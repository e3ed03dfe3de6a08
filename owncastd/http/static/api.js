// Fetch helpers for the public Owncast API. Every request has a deadline.

const DEFAULT_TIMEOUT_MS = 8000;

/**
 * fetch(path, init) and `read(response)`, both aborted after `timeoutMs` (the body too, not
 * only the headers). Resolves with what `read` returns.
 */
export async function fetchWithin(path, init, read, timeoutMs = DEFAULT_TIMEOUT_MS) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await read(await fetch(path, { ...init, signal: controller.signal }));
  } finally {
    clearTimeout(timer);
  }
}

/** GET a JSON document; rejects on network errors, timeouts and non-2xx answers. */
export async function getJSON(path, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  const init = { cache: 'no-store', headers: { Accept: 'application/json' } };
  return fetchWithin(
    path,
    init,
    (response) => {
      if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
      return response.json();
    },
    timeoutMs,
  );
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
  try {
    await fetchWithin('/api/ping', { cache: 'no-store' }, () => undefined, 5000);
  } catch {
    // A missed ping only makes us count as a viewer a few seconds later.
  }
}
