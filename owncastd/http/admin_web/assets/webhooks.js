// Webhooks: list, create (events to send), send a test delivery, delete, and the recent
// delivery attempts (kept in the daemon's memory; read again after a test or on demand).

import { app, el, get, post } from './admin-api.js';

const EVENTS = ['CHAT', 'NAME_CHANGE', 'USER_JOINED', 'USER_PARTED', 'STREAM_STARTED',
  'STREAM_STOPPED', 'STREAM_TITLE_UPDATED', 'VISIBILITY-UPDATE'];

function createForm(reload) {
  const url = el('input', { type: 'text', id: 'webhook-url', required: true, inputmode: 'url', placeholder: 'https://example.com/hook' });
  const boxes = EVENTS.map((event) =>
    el('div', {}, el('label', {}, el('input', { type: 'checkbox', name: 'event', value: event }), ' ', el('code', {}, event))));
  const status = el('p', { class: 'status', role: 'status', id: 'webhook-status' });
  const form = el('form', { class: 'field', id: 'webhook-create' },
    el('h2', {}, 'New webhook'),
    el('label', { for: 'webhook-url' }, 'URL that receives the events'), url,
    el('fieldset', {}, el('legend', {}, 'Events'), boxes),
    el('div', { class: 'row' }, el('button', { type: 'submit', class: 'primary' }, 'Create webhook')),
    status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const events = [...form.querySelectorAll('input[name=event]:checked')].map((b) => b.value);
    try {
      await post('/api/admin/webhooks/create', { url: url.value, events });
      form.reset();
      reload('Created.');
    } catch (error) {
      status.className = 'status error';
      status.textContent = error.message;
    }
  });
  return form;
}

function table(hooks, reload, status) {
  if (!hooks.length) return el('p', { id: 'webhooks' }, 'No webhooks.');
  const act = (label, path, hook, cls) => {
    const button = el('button', { type: 'button', class: cls }, label);
    button.addEventListener('click', async () => {
      status.textContent = `${label}…`;
      try {
        const reply = await post(path, { id: hook.id });
        status.textContent = reply?.message || 'Done.';
        if (path.endsWith('/delete')) reload('Deleted.');
      } catch (error) {
        status.textContent = `Failed: ${error.message}`;
      }
      if (path.endsWith('/test')) showDeliveries();
    });
    return button;
  };
  return el('table', { class: 'responsive', id: 'webhooks' },
    el('thead', {}, el('tr', {}, ['URL', 'Events', 'Last used', ''].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, hooks.map((hook) => el('tr', { 'data-webhook-id': hook.id },
      el('td', {}, hook.url),
      el('td', {}, hook.events.join(', ')),
      el('td', {}, hook.lastUsed ? new Date(hook.lastUsed).toLocaleString() : 'never'),
      el('td', {}, act('Send test', '/api/admin/webhooks/test', hook), ' ',
        act('Delete', '/api/admin/webhooks/delete', hook, 'danger'))))));
}

function result(attempt) {
  if (attempt.status === null) return attempt.error || 'no answer';
  return attempt.ok ? `${attempt.status} OK` : `HTTP ${attempt.status}`;
}

/** The recent attempts, newest first, in the #deliveries section. */
async function showDeliveries() {
  const box = document.getElementById('deliveries');
  if (!box) return;
  let attempts;
  try {
    attempts = await get('/api/admin/webhooks/deliveries');
  } catch (error) {
    box.replaceChildren(el('p', { class: 'error', role: 'alert' }, `Cannot read the deliveries: ${error.message}`));
    return;
  }
  box.replaceChildren(attempts.length === 0
    ? el('p', {}, 'No deliveries since the server started.')
    : el('table', { class: 'responsive', id: 'webhook-deliveries' },
      el('caption', { class: 'about' }, 'Last attempts of each webhook since the server started, newest first'),
      el('thead', {}, el('tr', {}, ['Time', 'Webhook', 'Event', 'Result', 'Took'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, attempts.map((a) => el('tr', { class: a.ok ? null : 'failed' },
        el('td', {}, new Date(a.timestamp).toLocaleTimeString()),
        el('td', {}, `#${a.webhookId}${a.test ? ' (test)' : ''}`),
        el('td', {}, el('code', {}, a.eventType)),
        el('td', {}, result(a)),
        el('td', {}, `${Math.round(a.durationMs)} ms`))))));
}

function deliveriesSection() {
  return el('section', { 'aria-labelledby': 'deliveries-title' },
    el('h2', { id: 'deliveries-title' }, 'Recent deliveries'),
    el('button', { type: 'button', id: 'refresh-deliveries', onclick: showDeliveries }, 'Refresh'),
    el('div', { id: 'deliveries', 'aria-live': 'polite' }));
}

async function main(message = '') {
  try {
    const hooks = await get('/api/admin/webhooks');
    const root = app();
    const status = el('p', { class: 'status', role: 'status', id: 'webhooks-status' }, message);
    root.append(status, table(hooks, main, status), deliveriesSection(), createForm(main));
    await showDeliveries();
    document.body.dataset.ready = 'yes';
  } catch (error) {
    app().append(el('p', { class: 'error', role: 'alert' }, `Cannot read the webhooks: ${error.message}`));
  }
}

main();
