// Logs: the daemon's recent log (/api/admin/logs), followed live (polled; newest at the end).

import { app, el, get } from './admin-api.js';

const POLL_MS = 2000;
let follow = true;
let shown = '';

function render(entries, level) {
  const rows = entries.filter((e) => level === 'all' || e.level === level);
  const list = el('ol', { class: 'log', id: 'log', tabindex: 0, 'aria-label': 'Log lines, oldest first' },
    rows.map((e) => el('li', { class: `log-${e.level}` },
      el('time', { datetime: e.time }, new Date(e.time).toLocaleTimeString()), ' ',
      el('strong', {}, e.level), ' ', e.message)));
  const old = document.getElementById('log');
  if (old) old.replaceWith(list);
  else app().append(controls(entries), list);
  if (follow) list.lastElementChild?.scrollIntoView({ block: 'nearest' });
}

function controls(entries) {
  const select = el('select', { id: 'log-level' },
    ['all', 'debug', 'info', 'warning', 'error', 'fatal'].map((l) => el('option', { value: l }, l)));
  select.addEventListener('change', () => render(entries, select.value));
  const box = el('input', { type: 'checkbox', id: 'log-follow', checked: follow });
  box.addEventListener('change', () => { follow = box.checked; });
  return el('div', { class: 'row' },
    el('label', { for: 'log-level' }, 'Level '), select, ' ',
    box, el('label', { for: 'log-follow' }, ' Follow new lines'));
}

async function refresh() {
  try {
    const entries = await get('/api/admin/logs');
    const now = JSON.stringify(entries);
    if (now !== shown) {
      shown = now;
      render(entries, document.getElementById('log-level')?.value || 'all');
    }
  } catch (error) {
    app().append(el('p', { class: 'error', role: 'alert' }, `Cannot read the log: ${error.message}`));
  }
}

refresh();
setInterval(refresh, POLL_MS);
