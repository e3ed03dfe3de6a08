// Renders the parts of the full viewer page that come from /api/config: header, about
// section (summary, tags, social links), external actions, extra page content and footer.
// extraPageContent is HTML sanitised by the server; the rest (summary included) is text.

import { byId, el, isColor, safeUrl, setHTML, setText, show } from './dom.js';

/** Set document title, header name and logo. Used by the full page and the embed. */
export function renderIdentity(config) {
  const name = typeof config.name === 'string' && config.name ? config.name : 'Owncast';
  document.title = name;
  setText(byId('server-name'), name);
  const logo = byId('header-logo');
  if (logo) {
    logo.src = config.logo || '/logo';
    logo.alt = `${name} logo`;
  }
}

function renderTags(tags) {
  const list = byId('tags');
  if (!list) return;
  const items = (Array.isArray(tags) ? tags : [])
    .filter((tag) => typeof tag === 'string' && tag.trim())
    .map((tag) => el('li', { class: 'tag', text: `#${tag.trim()}` }));
  list.replaceChildren(...items);
  show(list, items.length > 0);
}

const linkGlyph = () => el('span', { class: 'icon icon-link', 'aria-hidden': 'true' });

function renderSocial(handles) {
  const list = byId('social-links');
  if (!list) return;
  const items = [];
  for (const handle of Array.isArray(handles) ? handles : []) {
    const href = safeUrl(handle?.url);
    if (!href) continue;
    const platform =
      typeof handle.platform === 'string' && handle.platform ? handle.platform : 'Link';
    const icon = typeof handle.icon === 'string' && handle.icon ? handle.icon : null;
    const img = icon
      ? el('img', { src: icon, alt: '', width: 20, height: 20, loading: 'lazy' })
      : null;
    // A missing icon must not leave a broken image: fall back to the generic link glyph.
    img?.addEventListener('error', () => img.replaceWith(linkGlyph()));
    const link = el(
      'a',
      { href, rel: 'me noopener', target: '_blank', class: 'social-link', title: platform },
      img ?? linkGlyph(),
      el('span', { class: 'social-name', text: platform }),
    );
    items.push(el('li', {}, link));
  }
  list.replaceChildren(...items);
  show(list, items.length > 0);
}

function openActionDialog(action) {
  const dialog = byId('action-dialog');
  if (!dialog || typeof dialog.showModal !== 'function') return false;
  setText(byId('action-dialog-title'), action.title || 'Action');
  // Another site keeps its own origin; a page of this server gets an opaque one, since
  // scripts plus same-origin on our own origin could lift the sandbox.
  const sameOrigin = new URL(action.href).origin === window.location.origin;
  const frame = el('iframe', {
    src: action.href,
    title: action.title || 'Action',
    sandbox: `allow-scripts allow-forms allow-popups${sameOrigin ? '' : ' allow-same-origin'}`,
    referrerpolicy: 'no-referrer',
  });
  byId('action-dialog-body')?.replaceChildren(frame);
  dialog.showModal();
  return true;
}

function renderActions(actions) {
  const nav = byId('external-actions');
  if (!nav) return;
  const buttons = [];
  for (const raw of Array.isArray(actions) ? actions : []) {
    const href = safeUrl(raw?.url);
    if (!href || typeof raw.title !== 'string' || !raw.title) continue;
    const action = { ...raw, href };
    const icon = safeUrl(raw.icon)
      ? el('img', { src: raw.icon, alt: '', width: 18, height: 18 })
      : null;
    const link = el(
      'a',
      {
        href,
        class: 'action-button',
        title: typeof raw.description === 'string' && raw.description ? raw.description : null,
        target: '_blank',
        rel: 'noopener',
      },
      icon,
      el('span', { text: raw.title }),
    );
    if (isColor(raw.color)) link.style.setProperty('--action-color', raw.color);
    if (!raw.openExternally) {
      link.addEventListener('click', (event) => {
        if (openActionDialog(action)) event.preventDefault();
      });
    }
    buttons.push(link);
  }
  nav.replaceChildren(...buttons);
  show(nav, buttons.length > 0);
}

function wireDialog() {
  const dialog = byId('action-dialog');
  if (!dialog) return;
  byId('action-dialog-close')?.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => byId('action-dialog-body')?.replaceChildren());
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close(); // a click on the backdrop
  });
}

/** Fill the full page from /api/config. */
export function renderPage(config) {
  renderIdentity(config);
  show(byId('nsfw-badge'), Boolean(config.nsfw));
  const summary = typeof config.summary === 'string' ? config.summary.trim() : '';
  setText(byId('summary'), summary); // raw text in /api/config, as in Owncast: never HTML
  show(byId('summary'), Boolean(summary));
  renderTags(config.tags);
  renderSocial(config.socialHandles);
  renderActions(config.externalActions);
  wireDialog();
  const extra = typeof config.extraPageContent === 'string' ? config.extraPageContent.trim() : '';
  setHTML(byId('extra-content'), extra);
  show(byId('extra-content'), Boolean(extra));
  show(byId('chat'), !config.chatDisabled);
  document.body.classList.toggle('chat-disabled', Boolean(config.chatDisabled));
  setText(byId('version'), typeof config.version === 'string' ? config.version : '');
}
