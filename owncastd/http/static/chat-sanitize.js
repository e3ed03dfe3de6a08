// The client's own defence for chat HTML. The server already renders and sanitises message
// bodies, but a CHAT_ACTION body is not sanitised server-side and a compromised or buggy
// server must not be able to run script here. So every body is parsed in an inert document
// (DOMParser: no scripts run, no images load) and rebuilt node by node from an allow-list:
// p, br, strong, em, b, i, u, s, code, pre, lists, blockquote (what trusted notices may carry),
// a[href http(s)] and img[src under /img/emoji/]. Text is copied
// as text; unknown elements are unwrapped; script-like containers are dropped with their content.

import { isEmojiSrc, safeHref } from './chat-protocol.js';

const KEEP = new Set([
  'P', 'BR', 'STRONG', 'EM', 'B', 'I', 'U', 'S', 'CODE', 'PRE', 'UL', 'OL', 'LI', 'BLOCKQUOTE',
]); // prettier-ignore
const DROP = new Set([
  'SCRIPT', 'STYLE', 'TEMPLATE', 'IFRAME', 'FRAME', 'FRAMESET', 'OBJECT', 'EMBED', 'NOSCRIPT',
  'SVG', 'MATH', 'TEXTAREA', 'TITLE', 'SELECT', 'OPTION', 'XMP', 'NOEMBED', 'NOFRAMES', 'HEAD',
  'LINK', 'META', 'BASE', 'FORM', 'INPUT', 'BUTTON', 'AUDIO', 'VIDEO', 'SOURCE', 'CANVAS',
]); // prettier-ignore
const SHORTCODE = /^:?[\w+-]{1,64}:?$/;
const MAX_DEPTH = 32;

function copyChildren(from, to, doc, base, depth) {
  for (const child of from.childNodes) {
    const node = copyNode(child, doc, base, depth + 1);
    if (node) to.append(node);
  }
}

function copyNode(node, doc, base, depth) {
  if (node.nodeType === Node.TEXT_NODE) return doc.createTextNode(node.data);
  if (node.nodeType !== Node.ELEMENT_NODE || depth > MAX_DEPTH) return null;
  const tag = node.tagName.toUpperCase();
  if (DROP.has(tag) || node.namespaceURI !== 'http://www.w3.org/1999/xhtml') return null;
  if (KEEP.has(tag)) {
    const copy = doc.createElement(tag.toLowerCase());
    copyChildren(node, copy, doc, base, depth);
    return copy;
  }
  if (tag === 'A') {
    const href = safeHref(node.getAttribute('href'), base);
    const copy = doc.createElement(href ? 'a' : 'span');
    if (href) {
      copy.setAttribute('href', href);
      copy.setAttribute('rel', 'noreferrer noopener nofollow');
      copy.setAttribute('target', '_blank');
    }
    copyChildren(node, copy, doc, base, depth);
    return copy;
  }
  if (tag === 'IMG') {
    const src = node.getAttribute('src');
    if (!isEmojiSrc(src, base)) return null;
    const img = doc.createElement('img');
    img.setAttribute('src', src);
    img.className = 'emoji';
    img.setAttribute('loading', 'lazy');
    for (const name of ['alt', 'title']) {
      const value = node.getAttribute(name);
      if (value && SHORTCODE.test(value)) img.setAttribute(name, value);
    }
    if (!img.hasAttribute('alt')) img.setAttribute('alt', 'emoji');
    return img;
  }
  // Anything else (div, span, h1, table, …): keep the content, lose the element.
  const fragment = doc.createDocumentFragment();
  copyChildren(node, fragment, doc, base, depth);
  return fragment;
}

/**
 * A DocumentFragment of `doc` holding `html` reduced to the allow-list. Non-strings give an
 * empty fragment. Links resolve against `base` (the page's URL by default).
 */
export function sanitizeHTML(html, doc = document, base = doc.location?.href) {
  const out = doc.createDocumentFragment();
  if (typeof html !== 'string' || html === '') return out;
  const parsed = new DOMParser().parseFromString(html, 'text/html');
  copyChildren(parsed.body, out, doc, base, 0);
  return out;
}

/** Replace `node`'s content with the sanitised form of `html`. */
export function setSafeHTML(node, html) {
  node.replaceChildren(sanitizeHTML(html, node.ownerDocument));
}
