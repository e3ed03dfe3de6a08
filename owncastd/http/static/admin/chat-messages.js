// Chat messages: every message, hidden ones included; hide or show one, or all selected.
// Refreshed every few seconds (the list keeps what is selected).

import { app, el, get, post } from './admin-api.js';

const POLL_MS = 3000;
const selected = new Set();
let last = '';

function text(html) {
  // The body is the server's sanitised HTML: show its text, never run or render it.
  return new DOMParser().parseFromString(html || '', 'text/html').body.textContent.trim();
}

async function setVisible(ids, visible, status) {
  status.textContent = visible ? 'Showing…' : 'Hiding…';
  try {
    await post('/api/admin/chat/messagevisibility', { idArray: ids, visible });
    status.textContent = `${ids.length} message${ids.length === 1 ? '' : 's'} ${visible ? 'shown' : 'hidden'}.`;
    ids.forEach((id) => selected.delete(id));
    await refresh(true);
  } catch (error) {
    status.textContent = `Failed: ${error.message}`;
  }
}

function row(message, status) {
  const box = el('input', { type: 'checkbox', checked: selected.has(message.id), 'aria-label': `Select message ${message.id}` });
  box.addEventListener('change', () => (box.checked ? selected.add(message.id) : selected.delete(message.id)));
  const toggle = el('button', { type: 'button', 'data-id': message.id },
    message.visible ? 'Hide' : 'Show');
  toggle.addEventListener('click', () => setVisible([message.id], !message.visible, status));
  return el('tr', { class: message.visible ? null : 'hidden-message', 'data-message-id': message.id },
    el('td', {}, box),
    el('td', {}, new Date(message.timestamp).toLocaleTimeString()),
    el('td', {}, message.user?.displayName || message.type),
    el('td', { class: 'body' }, text(message.body)),
    el('td', {}, message.visible ? 'Visible' : 'Hidden'),
    el('td', {}, toggle));
}

function render(messages) {
  const root = app();
  const status = el('p', { class: 'status', role: 'status', id: 'chat-status' });
  const bulk = (visible) => () => setVisible([...selected], visible, status);
  root.append(
    el('div', { class: 'row' },
      el('button', { type: 'button', id: 'hide-selected', onclick: bulk(false) }, 'Hide selected'),
      ' ',
      el('button', { type: 'button', id: 'show-selected', onclick: bulk(true) }, 'Show selected')),
    status,
    messages.length === 0
      ? el('p', {}, 'No chat messages yet.')
      : el('table', { class: 'responsive', id: 'messages' },
        el('caption', { class: 'about' }, `${messages.length} messages, newest first`),
        el('thead', {}, el('tr', {}, ['Select', 'Time', 'User', 'Message', 'State', 'Action'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, messages.slice().reverse().map((m) => row(m, status)))));
}

async function refresh(force = false) {
  try {
    const messages = (await get('/api/admin/chat/messages')).filter((m) => m.type === 'CHAT');
    const now = JSON.stringify(messages);
    if (force || now !== last) {
      const focused = document.activeElement?.id;
      const status = document.getElementById('chat-status')?.textContent;
      render(messages);
      if (status) document.getElementById('chat-status').textContent = status;
      if (focused) document.getElementById(focused)?.focus();
      last = now;
    }
    document.body.dataset.ready = 'yes';
  } catch (error) {
    app().append(el('p', { class: 'error', role: 'alert' }, `Cannot read the messages: ${error.message}`));
  }
}

refresh();
setInterval(refresh, POLL_MS);
