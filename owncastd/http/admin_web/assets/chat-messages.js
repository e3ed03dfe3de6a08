// Chat messages: every message, hidden ones included; hide or show one, or all selected.
// One fetch of the admin history, then live over the chat websocket as a registered chat user
// (the viewer page's modules): CHAT adds a row, VISIBILITY-UPDATE flips rows (a hide from
// another admin or a moderator shows at once). After a reconnect the history is read again.

import { app, el, get, post } from './admin-api.js';
import { fetchConfig } from '/static/api.js';
import { ensureIdentity, saveIdentity } from '/static/chat-api.js';
import { socketUrl } from '/static/chat-protocol.js';
import { ChatSocket } from '/static/chat-socket.js';

const selected = new Set();
const messages = new Map(); // id → message, in arrival order
let everOpen = false;

function text(html) {
  // The body is the server's sanitised HTML: show its text, never run or render it.
  return new DOMParser().parseFromString(html || '', 'text/html').body.textContent.trim();
}

function markVisible(ids, visible) {
  const missing = [];
  for (const id of ids) {
    const message = messages.get(id);
    if (message) message.visible = visible;
    else missing.push(id);
  }
  return missing;
}

async function setVisible(ids, visible, status) {
  status.textContent = visible ? 'Showing…' : 'Hiding…';
  try {
    await post('/api/admin/chat/messagevisibility', { idArray: ids, visible });
    status.textContent = `${ids.length} message${ids.length === 1 ? '' : 's'} ${visible ? 'shown' : 'hidden'}.`;
    ids.forEach((id) => selected.delete(id));
    markVisible(ids, visible);
    render();
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

/** Draw the table again, keeping the focused control and the status line. */
function render() {
  const focused = document.activeElement?.id;
  const previous = document.getElementById('chat-status')?.textContent;
  const list = [...messages.values()];
  const root = app();
  const status = el('p', { class: 'status', role: 'status', id: 'chat-status' }, previous || '');
  const bulk = (visible) => () => setVisible([...selected], visible, status);
  root.append(
    el('div', { class: 'row' },
      el('button', { type: 'button', id: 'hide-selected', onclick: bulk(false) }, 'Hide selected'),
      ' ',
      el('button', { type: 'button', id: 'show-selected', onclick: bulk(true) }, 'Show selected')),
    status,
    list.length === 0
      ? el('p', {}, 'No chat messages yet.')
      : el('table', { class: 'responsive', id: 'messages' },
        el('caption', { class: 'about' }, `${list.length} messages, newest first`),
        el('thead', {}, el('tr', {}, ['Select', 'Time', 'User', 'Message', 'State', 'Action'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, list.reverse().map((m) => row(m, status)))));
  if (focused) document.getElementById(focused)?.focus();
}

async function load() {
  try {
    const history = (await get('/api/admin/chat/messages')).filter((m) => m.type === 'CHAT');
    messages.clear();
    for (const message of history) messages.set(message.id, message);
    render();
    document.body.dataset.ready = 'yes';
  } catch (error) {
    app().append(el('p', { class: 'error', role: 'alert' }, `Cannot read the messages: ${error.message}`));
  }
}

function onEvent(socket, event) {
  switch (event.type) {
    case 'CONNECTED_USER_INFO':
      socket.resetBackoff();
      document.body.dataset.chatState = 'connected';
      if (everOpen) load(); // Messages may have come and gone while we were away.
      everOpen = true;
      break;
    case 'ERROR_NEEDS_REGISTRATION':
      saveIdentity(null); // A wiped server: register again on the next attempt.
      break;
    case 'CHAT':
      if (!event.id) break;
      messages.set(event.id, { ...messages.get(event.id), ...event, visible: event.visible ?? true });
      render();
      break;
    case 'VISIBILITY-UPDATE':
      if (markVisible(event.ids || [], event.visible).length > 0) load();
      else render();
      break;
    default:
      break;
  }
}

/** Before each attempt: null while chat is off (the socket checks again later), else the URL. */
async function socketAddress() {
  const config = await fetchConfig();
  if (config.chatDisabled) {
    document.body.dataset.chatState = 'disabled';
    return null;
  }
  const identity = await ensureIdentity();
  return socketUrl(window.location, identity.accessToken, config.socketHostOverride);
}

await load();
const socket = new ChatSocket({
  url: socketAddress,
  onEvent: (event) => onEvent(socket, event),
  onState: (state) => {
    if (state !== 'open') document.body.dataset.chatState = 'disconnected';
  },
});
socket.start();
