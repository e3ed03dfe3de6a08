// Backups (owncastd's own page): the archives in the backup directory, newest first; make a
// new one and download any. An archive holds the configuration's secrets: keep it safe.

import { app, el, get, post } from './admin-api.js';

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function table(backups) {
  if (!backups.length) return el('p', { id: 'backups' }, 'No backups yet.');
  return el('table', { class: 'responsive', id: 'backups' },
    el('caption', { class: 'about' }, `${backups.length} archive${backups.length === 1 ? '' : 's'}, newest first`),
    el('thead', {}, el('tr', {}, ['Made', 'Kind', 'Size', 'Archive'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, backups.map((b) => el('tr', { 'data-backup': b.name },
      el('td', {}, new Date(b.created).toLocaleString()),
      el('td', {}, b.automatic ? 'Automatic' : 'Manual'),
      el('td', {}, size(b.size)),
      el('td', {}, el('a', { href: `/api/admin/backups/download?${new URLSearchParams({ name: b.name })}`, download: b.name }, `Download ${b.name}`))))));
}

async function main(message = '') {
  try {
    const { canCreate, backups } = await get('/api/admin/backups');
    const root = app();
    const status = el('p', { class: 'status', role: 'status', id: 'backups-status' }, message);
    const make = el('button', { type: 'button', id: 'make-backup', class: 'primary', disabled: !canCreate }, 'Make a backup now');
    make.addEventListener('click', async () => {
      make.disabled = true;
      status.textContent = 'Making a backup…';
      try {
        const made = await post('/api/admin/backups/create');
        await main(`Made ${made.name} (${size(made.size)}).`);
      } catch (error) {
        status.textContent = `Failed: ${error.message}`;
        make.disabled = false;
      }
    });
    root.append(...[
      el('p', {}, 'Archives hold the database, the configuration (with its secrets) and uploaded files. Restore one with ', el('code', {}, 'owncastd restore'), '.'),
      el('div', { class: 'row' }, make),
      canCreate ? null : el('p', {}, 'This daemon runs without a configuration file, so it cannot make backups.'),
      status,
      table(backups)].filter(Boolean));
    document.body.dataset.ready = 'yes';
  } catch (error) {
    app().append(el('p', { class: 'error', role: 'alert' }, `Cannot read the backups: ${error.message}`));
  }
}

main();
