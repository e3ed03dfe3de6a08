// The admin HTTP API from the browser: the browser sends the cached Basic credentials.
// Every state-changing request is JSON (the server's origin guard checks where it came from).

const TIMEOUT_MS = 10000;

/** An admin API error carrying the server's message (Owncast's {success, message} or text). */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  const init = { method, cache: 'no-store', signal: controller.signal, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  try {
    const response = await fetch(path, init);
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = text; }
    if (!response.ok) {
      const message = (data && typeof data === 'object' && data.message) || String(text).trim();
      throw new ApiError(response.status, message || `HTTP ${response.status}`);
    }
    return data;
  } finally {
    clearTimeout(timer);
  }
}

/** GET a JSON admin route. */
export const get = (path) => call('GET', path);
/** POST `body` as JSON. */
export const post = (path, body = {}) => call('POST', path, body);
/** DELETE, with an optional JSON body. */
export const del = (path, body) => call('DELETE', path, body);

/** Create an element: el('p', {class: 'x'}, 'text', child…); text is always text, never HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** The page's #app container, emptied. */
export function app() {
  const node = document.getElementById('app');
  node.replaceChildren();
  return node;
}
