// Chat users: who is connected, moderators, banned users and banned IP addresses.

import { app, el, get, post } from './admin-api.js';

function action(label, run, status, cls) {
  const button = el('button', { type: 'button', class: cls }, label);
  button.addEventListener('click', async () => {
    try {
      const reply = await run();
      status.textContent = reply?.message || 'Done.';
      await main(status.textContent);
    } catch (error) {
      status.textContent = `Failed: ${error.message}`;
    }
  });
  return button;
}

function section(id, title, rows, headers) {
  return el('section', { 'aria-labelledby': `${id}-h` }, el('h2', { id: `${id}-h` }, title),
    rows.length === 0
      ? el('p', { id }, 'None.')
      : el('table', { class: 'responsive', id },
        el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows)));
}

const setEnabled = (user, enabled) => () => post('/api/admin/chat/users/setenabled', { userId: user.id, enabled });
const setModerator = (user, isModerator) => () => post('/api/admin/chat/users/setmoderator', { userId: user.id, isModerator });

function ipBanForm(status) {
  const ip = el('input', { type: 'text', id: 'ipban-address', required: true, autocomplete: 'off' });
  const form = el('form', { class: 'field', id: 'ipban-create' },
    el('label', { for: 'ipban-address' }, 'Ban an IP address'), ip,
    el('div', { class: 'row' }, el('button', { type: 'submit', class: 'primary' }, 'Ban address')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const reply = await post('/api/admin/chat/users/ipbans/create', { value: ip.value });
      await main(reply?.message || 'Banned.');
    } catch (error) {
      status.textContent = `Failed: ${error.message}`;
    }
  });
  return form;
}

async function main(message = '') {
  try {
    const [clients, moderators, banned, ipbans] = await Promise.all([
      get('/api/admin/chat/clients'), get('/api/admin/chat/users/moderators'),
      get('/api/admin/chat/users/disabled'), get('/api/admin/chat/users/ipbans')]);
    const root = app();
    const status = el('p', { class: 'status', role: 'status', id: 'users-status' }, message);
    const modIds = new Set(moderators.map((u) => u.id));
    root.append(status,
      section('connected', `Connected (${clients.length})`, clients.map((c) => el('tr', { 'data-user-id': c.user.id },
        el('td', {}, c.user.displayName), el('td', {}, String(c.messageCount)),
        el('td', {}, new Date(c.connectedAt).toLocaleTimeString()),
        el('td', {}, action('Ban', setEnabled(c.user, false), status, 'danger'), ' ',
          modIds.has(c.user.id) ? null : action('Make moderator', setModerator(c.user, true), status)))),
      ['Name', 'Messages', 'Connected', '']),
      section('moderators', 'Moderators', moderators.map((u) => el('tr', { 'data-user-id': u.id },
        el('td', {}, u.displayName), el('td', {}, action('Remove moderator', setModerator(u, false), status)))),
      ['Name', '']),
      section('banned', 'Banned users', banned.map((u) => el('tr', { 'data-user-id': u.id },
        el('td', {}, u.displayName), el('td', {}, u.disabledAt ? new Date(u.disabledAt).toLocaleString() : ''),
        el('td', {}, action('Unban', setEnabled(u, true), status)))),
      ['Name', 'Banned at', '']),
      section('ipbans', 'Banned IP addresses', ipbans.map((b) => el('tr', {},
        el('td', {}, b.ipAddress), el('td', {}, b.notes || ''),
        el('td', {}, action('Unban', () => post('/api/admin/chat/users/ipbans/remove', { value: b.ipAddress }), status)))),
      ['Address', 'Notes', '']),
      ipBanForm(status));
    document.body.dataset.ready = 'yes';
  } catch (error) {
    app().append(el('p', { class: 'error', role: 'alert' }, `Cannot read the users: ${error.message}`));
  }
}

main();
