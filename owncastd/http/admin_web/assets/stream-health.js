// Stream health: what players report (/api/admin/metrics/video): latency, segment download
// time, bitrate and errors over time, and how many viewers report at all.

import { app, el, get } from './admin-api.js';
import { lineChart } from './chart.js';

async function refresh() {
  try {
    const m = await get('/api/admin/metrics/video');
    app().append(
      el('p', { id: 'representation' },
        `${m.representation}% of viewers report playback figures. Segments are ${m.segmentLength} s; `,
        `output bitrates: ${(m.availableBitrates || []).map((b) => `${b} kbps`).join(', ') || 'none'}.`),
      el('div', { class: 'charts' },
        lineChart('Median latency', m.medianLatency, ' s'),
        lineChart('Median segment download', m.medianSegmentDownloadDuration, ' s'),
        lineChart('Median player bitrate', m.medianPlayerBitrate, ' kbps'),
        lineChart('Playback errors', m.errors),
        lineChart('Quality changes', m.qualityVariantChanges)));
  } catch (error) {
    app().append(el('p', { class: 'error', role: 'alert' }, `Cannot read the playback figures: ${error.message}`));
  }
}

refresh();
setInterval(refresh, 10000);
