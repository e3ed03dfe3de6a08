// Access tokens: list (tokens masked), create (the new token is shown once), delete.

import { app, el, get, post } from './admin-api.js';

const SCOPES = {
  CAN_SEND_MESSAGES: 'Send chat messages',
  CAN_SEND_SYSTEM_MESSAGES: 'Send system messages',
  HAS_ADMIN_ACCESS: 'Admin access (moderate, read status)',
};

const mask = () => '•••• (shown once, at creation)';

function createForm(onCreated) {
  const name = el('input', { type: 'text', id: 'token-name', required: true, maxlength: 100, autocomplete: 'off' });
  const boxes = Object.entries(SCOPES).map(([scope, label]) =>
    el('label', {}, el('input', { type: 'checkbox', name: 'scope', value: scope }), ' ', label, ' ', el('code', {}, scope)));
  const status = el('p', { class: 'status', role: 'status', id: 'token-status' });
  const form = el('form', { class: 'field', id: 'token-create' },
    el('h2', {}, 'New token'),
    el('label', { for: 'token-name' }, 'Name (shown as the bot in chat)'), name,
    el('fieldset', {}, el('legend', {}, 'Scopes'), boxes.map((b) => el('div', {}, b))),
    el('div', { class: 'row' }, el('button', { type: 'submit', class: 'primary' }, 'Create token')),
    status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const scopes = [...form.querySelectorAll('input[name=scope]:checked')].map((b) => b.value);
    try {
      const created = await post('/api/admin/accesstokens/create', { name: name.value, scopes });
      status.className = 'status saved';
      status.textContent = 'Created.';
      form.reset();
      onCreated(created);
    } catch (error) {
      status.className = 'status error';
      status.textContent = error.message;
    }
  });
  return form;
}

function shownOnce(created) {
  return el('section', { class: 'once', id: 'new-token', 'aria-labelledby': 'new-token-h' },
    el('h2', { id: 'new-token-h' }, `Token for ${created.displayName}`),
    el('p', {}, 'Copy it now: it will not be shown again.'),
    el('p', {}, el('code', { id: 'new-token-value' }, created.accessToken)));
}

function table(tokens, reload) {
  if (!tokens.length) return el('p', { id: 'tokens' }, 'No access tokens.');
  return el('table', { class: 'responsive', id: 'tokens' },
    el('thead', {}, el('tr', {}, ['Name', 'Token', 'Scopes', 'Created', 'Last used', ''].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, tokens.map((token) => {
      const remove = el('button', { type: 'button', class: 'danger' }, 'Delete');
      remove.addEventListener('click', async () => {
        if (!confirm(`Delete the token "${token.displayName}"?`)) return;
        await post('/api/admin/accesstokens/delete', { token: token.accessToken });
        reload();
      });
      return el('tr', { 'data-token-name': token.displayName },
        el('td', {}, token.displayName),
        el('td', {}, el('code', {}, mask(token.accessToken))),
        el('td', {}, token.scopes.join(', ')),
        el('td', {}, new Date(token.createdAt).toLocaleString()),
        el('td', {}, token.lastUsedAt ? new Date(token.lastUsedAt).toLocaleString() : 'never'),
        el('td', {}, remove));
    })));
}

async function main(created = null) {
  try {
    const tokens = await get('/api/admin/accesstokens');
    const root = app();
    if (created) root.append(shownOnce(created));
    root.append(table(tokens, () => main()), createForm((made) => main(made)));
    document.body.dataset.ready = 'yes';
  } catch (error) {
    app().append(el('p', { class: 'error', role: 'alert' }, `Cannot read the tokens: ${error.message}`));
  }
}

main();
