// Small DOM helpers shared by the viewer modules. Plain strings always go through
// textContent; only the server-sanitised HTML fields of /api/config use setHTML().

/** Shorthand for document.getElementById. */
export const byId = (id) => document.getElementById(id);

/**
 * Create an element. `props` keys: `text` (textContent), `class`, `on<event>` handlers,
 * anything else becomes an attribute (true → empty attribute, null/false → skipped).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.className = value;
    else if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** Show or hide an element (no-op when it is absent from this page). */
export function show(node, visible) {
  if (node) node.hidden = !visible;
}

/** Set text on an element that may be absent. */
export function setText(node, text) {
  if (node) node.textContent = text ?? '';
}

/** Insert HTML that the server has already sanitised (summary, offline message, …). */
export function setHTML(node, html) {
  if (node) node.innerHTML = typeof html === 'string' ? html : '';
}

/** A link target we are willing to put in an href: http(s), mailto or same-origin paths. */
export function safeUrl(url) {
  if (typeof url !== 'string' || url.trim() === '') return null;
  try {
    const parsed = new URL(url, window.location.href);
    return ['http:', 'https:', 'mailto:'].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

/** True for a colour value the browser understands (used for admin-chosen colours). */
export function isColor(value) {
  return typeof value === 'string' && value !== '' && CSS.supports('color', value);
}
