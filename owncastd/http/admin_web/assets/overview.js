// Overview: live or offline, viewers, the broadcaster's encoder details and the daemon's
// health, polled from /api/admin/status and /api/admin/daemon.

import { app, el, get } from './admin-api.js';
import { lineChart } from './chart.js';

const POLL_MS = 5000;

function card(title, value, attrs = {}) {
  return el('section', { class: 'card', ...attrs }, el('h2', {}, title), el('div', { class: 'value' }, value));
}

function encoderDetails(status) {
  const details = status.broadcaster?.streamDetails;
  if (!status.online || !details) return el('p', {}, 'No stream is coming in.');
  const rows = [
    ['Encoder', details.encoder || 'unknown'],
    ['Video', `${details.videoCodec || '?'} ${details.width}×${details.height} @ ${details.framerate} fps, ${details.videoBitrate} kbps`],
    ['Audio', details.videoOnly ? 'none' : `${details.audioCodec || '?'}, ${details.audioBitrate} kbps`],
    ['From', status.broadcaster.remoteAddr],
    ['Since', new Date(status.broadcaster.time).toLocaleString()],
  ];
  return el('dl', { class: 'details', id: 'encoder' }, rows.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

function healthPart(daemon) {
  if (!daemon) return el('p', {}, 'Daemon health is not available.');
  const problems = daemon.problems || [];
  return el('div', { id: 'health' },
    el('p', {}, 'Daemon: ', el('strong', { class: daemon.status === 'ok' ? 'online' : 'bad' }, daemon.status)),
    problems.length ? el('ul', {}, problems.map((p) => el('li', {}, p))) : null,
    daemon.restartRequired?.length
      ? el('p', {}, 'Waiting for a restart: ', daemon.restartRequired.join(', '))
      : null);
}

function render(status, daemon, history) {
  const root = app();
  const state = status.online ? 'online' : 'offline';
  document.body.dataset.streamState = state;
  root.append(
    el('div', { class: 'cards' },
      card('Stream', status.online ? 'Live' : 'Offline', { id: 'stream-state', class: `card ${state}` }),
      card('Viewers', String(status.viewerCount ?? 0), { id: 'viewers' }),
      card('Peak this stream', String(status.sessionPeakViewerCount ?? 0)),
      card('Peak ever', String(status.overallPeakViewerCount ?? 0)),
      card('Stream health', status.health?.healthy === false ? 'Unhealthy' : 'Healthy')),
    history ? lineChart('Viewers', history) : null,
    el('h2', {}, 'Stream title'),
    el('p', { id: 'stream-title' }, status.streamTitle || '(none)'),
    el('h2', {}, 'Encoder'),
    encoderDetails(status),
    el('h2', {}, 'Health'),
    healthPart(daemon),
    el('p', { class: 'meta' }, `owncastd ${status.owncastdVersion || ''} · Owncast API ${status.versionNumber || ''}`));
}

async function refresh() {
  try {
    const [status, daemon, history] = await Promise.all([
      get('/api/admin/status'),
      get('/api/admin/daemon').catch(() => null),
      get('/api/admin/viewersOverTime').catch(() => null),
    ]);
    render(status, daemon, history);
  } catch (error) {
    app().append(el('p', { class: 'error', role: 'alert' }, `Cannot read the status: ${error.message}`));
  }
}

refresh();
setInterval(refresh, POLL_MS);
