// Viewers: the count over time (/api/admin/viewersOverTime) and who watches now
// (/api/admin/viewers), refreshed.

import { app, el, get } from './admin-api.js';
import { lineChart } from './chart.js';

async function refresh() {
  try {
    const [history, viewers] = await Promise.all([get('/api/admin/viewersOverTime'), get('/api/admin/viewers')]);
    app().append(
      lineChart('Viewers', history),
      el('h2', {}, `Watching now (${viewers.length})`),
      viewers.length === 0
        ? el('p', { id: 'viewers' }, 'Nobody.')
        : el('table', { class: 'responsive', id: 'viewers' },
          el('thead', {}, el('tr', {}, ['Address', 'Player', 'First seen', 'Last seen'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, viewers.map((v) => el('tr', {},
            el('td', {}, v.ipAddress), el('td', {}, v.userAgent),
            el('td', {}, new Date(v.firstSeen).toLocaleTimeString()),
            el('td', {}, new Date(v.lastSeen).toLocaleTimeString()))))));
  } catch (error) {
    app().append(el('p', { class: 'error', role: 'alert' }, `Cannot read the viewers: ${error.message}`));
  }
}

refresh();
setInterval(refresh, 10000);
