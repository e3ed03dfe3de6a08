// All chat users (/api/admin/users): search, filter by status, 25 a page; ban or unban,
// make or remove moderator, delete.

import { app, el, get, post } from './admin-api.js';

const PAGE = 25;
const state = { search: '', status: 'all', offset: 0, message: '' };

function act(label, run, cls, ask = '') {
  const button = el('button', { type: 'button', class: cls }, label);
  button.addEventListener('click', async () => {
    if (ask && !confirm(ask)) return;
    try {
      const reply = await run();
      state.message = reply?.message || 'Done.';
    } catch (error) {
      state.message = `Failed: ${error.message}`;
    }
    await main();
  });
  return button;
}

function row(user) {
  const moderator = (user.scopes || []).includes('MODERATOR');
  const banned = Boolean(user.disabledAt);
  return el('tr', { 'data-user-id': user.id },
    el('td', {}, user.displayName, user.isBot ? ' (bot)' : ''),
    el('td', {}, banned ? 'banned' : moderator ? 'moderator' : 'user'),
    el('td', {}, new Date(user.createdAt).toLocaleDateString()),
    el('td', {},
      act(banned ? 'Unban' : 'Ban', () => post('/api/admin/chat/users/setenabled', { userId: user.id, enabled: banned }), banned ? null : 'danger'), ' ',
      act(moderator ? 'Remove moderator' : 'Make moderator', () => post('/api/admin/chat/users/setmoderator', { userId: user.id, isModerator: !moderator })), ' ',
      act('Delete', () => post('/api/admin/users/delete', { userId: user.id }), 'danger',
        `Delete ${user.displayName} and their messages?`)));
}

function filters() {
  const search = el('input', { type: 'search', id: 'users-search', value: state.search });
  const status = el('select', { id: 'users-status' },
    ['all', 'active', 'moderators', 'banned', 'bots'].map((s) => el('option', { value: s, selected: s === state.status }, s)));
  const form = el('form', { class: 'row', id: 'users-filter', role: 'search' },
    el('label', { for: 'users-search' }, 'Name'), search,
    el('label', { for: 'users-status' }, 'Status'), status,
    el('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    Object.assign(state, { search: search.value, status: status.value, offset: 0 });
    main();
  });
  return form;
}

function pager(total) {
  const go = (offset) => () => { state.offset = offset; main(); };
  return el('div', { class: 'row' },
    el('button', { type: 'button', disabled: state.offset === 0, onclick: go(Math.max(0, state.offset - PAGE)) }, 'Previous'),
    el('span', {}, ` ${total ? state.offset + 1 : 0}–${Math.min(total, state.offset + PAGE)} of ${total} `),
    el('button', { type: 'button', disabled: state.offset + PAGE >= total, onclick: go(state.offset + PAGE) }, 'Next'));
}

async function main() {
  const query = new URLSearchParams({ search: state.search, status: state.status, offset: state.offset, limit: PAGE });
  try {
    const { total, results } = await get(`/api/admin/users?${query}`);
    app().append(filters(), el('p', { class: 'status', role: 'status', id: 'users-status-line' }, state.message),
      results.length === 0 ? el('p', { id: 'users' }, 'No users match.')
        : el('table', { class: 'responsive', id: 'users' },
          el('thead', {}, el('tr', {}, ['Name', 'Status', 'Joined', ''].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, results.map(row))),
      pager(total));
  } catch (error) {
    app().append(el('p', { class: 'error', role: 'alert' }, `Cannot read the users: ${error.message}`));
  }
}

main();
