// Hardware: CPU, memory and disk use over time (/api/admin/hardwarestats), refreshed.

import { app, el, get } from './admin-api.js';
import { lineChart } from './chart.js';

async function refresh() {
  try {
    const stats = await get('/api/admin/hardwarestats');
    app().append(el('div', { class: 'charts' },
      lineChart('CPU', stats.cpu, '%', 100),
      lineChart('Memory', stats.memory, '%', 100),
      lineChart('Disk', stats.disk, '%', 100)));
  } catch (error) {
    app().append(el('p', { class: 'error', role: 'alert' }, `Cannot read the hardware figures: ${error.message}`));
  }
}

refresh();
setInterval(refresh, 10000);
