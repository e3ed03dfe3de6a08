// Schedule: upcoming and recent events (/api/admin/schedule), a one-off event form, and
// cancel or delete. Recurring series are listed; creating one is `owncastctl schedule add`.

import { app, el, get, post } from './admin-api.js';

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function when(event) {
  return new Date(event.startTime).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

function createForm(show) {
  const name = el('input', { type: 'text', id: 'event-name', required: true, maxlength: 255 });
  const start = el('input', { type: 'datetime-local', id: 'event-start', required: true });
  const duration = el('input', { type: 'number', id: 'event-duration', min: 1, max: 10080, value: 60 });
  const form = el('form', { class: 'field', id: 'event-create' },
    el('h2', {}, 'New one-off stream'),
    el('label', { for: 'event-name' }, 'Name'), name,
    el('label', { for: 'event-start' }, `Start (${zone})`), start,
    el('label', { for: 'event-duration' }, 'Duration in minutes'), duration,
    el('div', { class: 'row' }, el('button', { type: 'submit', class: 'primary' }, 'Schedule')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const body = { name: name.value, start: new Date(start.value).toISOString(), timezone: zone, durationMinutes: Number(duration.value) };
      show(await post('/api/admin/schedule/event', body), 'Scheduled.');
    } catch (error) {
      document.getElementById('schedule-status').textContent = `Failed: ${error.message}`;
    }
  });
  return form;
}

function render(schedule, message = '') {
  const status = el('p', { class: 'status', role: 'status', id: 'schedule-status' }, message);
  const action = (label, id, cancel) => {
    const button = el('button', { type: 'button', class: cancel ? null : 'danger' }, label);
    button.addEventListener('click', async () => {
      try {
        render(await post('/api/admin/schedule/event/delete', { id, cancel }), `${label}: done.`);
      } catch (error) {
        status.textContent = `Failed: ${error.message}`;
      }
    });
    return button;
  };
  const events = schedule.events || [];
  app().append(status,
    el('h2', {}, 'Events'),
    events.length === 0 ? el('p', { id: 'events' }, 'Nothing scheduled.')
      : el('table', { class: 'responsive', id: 'events' },
        el('thead', {}, el('tr', {}, ['Name', 'Starts', 'Minutes', 'Status', ''].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, events.map((e) => el('tr', { 'data-event-id': e.id },
          el('td', {}, e.name), el('td', {}, when(e)), el('td', {}, String(e.durationMinutes ?? '')),
          el('td', {}, e.status || ''),
          el('td', {}, e.status === 'cancelled' ? null : action('Cancel', e.id, true), ' ', action('Delete', e.id, false)))))),
    el('h2', {}, 'Series'),
    el('p', {}, `${(schedule.series || []).length} recurring series. Create one with `, el('code', {}, 'owncastctl schedule add --rrule …'), '.'),
    createForm(render));
}

get('/api/admin/schedule').then((s) => render(s)).catch((error) => {
  app().append(el('p', { class: 'error', role: 'alert' }, `Cannot read the schedule: ${error.message}`));
});
