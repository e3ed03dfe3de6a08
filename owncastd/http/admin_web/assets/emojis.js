// Custom emoji: the list (/api/emoji) with delete, and upload (a data: URI, as Owncast).

import { app, el, get, post } from './admin-api.js';

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function uploadForm(status) {
  const file = el('input', { type: 'file', id: 'emoji-file', accept: 'image/png,image/gif,image/jpeg,image/webp,image/svg+xml', required: true });
  const name = el('input', { type: 'text', id: 'emoji-name', required: true, autocomplete: 'off', pattern: '[A-Za-z0-9._\\-]+' });
  const form = el('form', { class: 'field', id: 'emoji-upload' },
    el('h2', {}, 'Upload an emoji'),
    el('label', { for: 'emoji-file' }, 'Image'), file,
    el('label', { for: 'emoji-name' }, 'Name (letters, digits, . _ -; used as :name:)'), name,
    el('div', { class: 'row' }, el('button', { type: 'submit', class: 'primary' }, 'Upload')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const data = await readAsDataUrl(file.files[0]);
      const reply = await post('/api/admin/emoji/upload', { name: name.value, data });
      await main(reply?.message || 'Uploaded.');
    } catch (error) {
      status.textContent = `Failed: ${error.message}`;
    }
  });
  return form;
}

async function main(message = '') {
  try {
    const emoji = await get('/api/emoji');
    const root = app();
    const status = el('p', { class: 'status', role: 'status', id: 'emoji-status' }, message);
    const list = emoji.length === 0
      ? el('p', { id: 'emoji-list' }, 'No custom emoji.')
      : el('ul', { class: 'emoji-grid', id: 'emoji-list' }, emoji.map((e) => {
        const remove = el('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${e.name}` }, 'Delete');
        remove.addEventListener('click', async () => {
          try {
            const reply = await post('/api/admin/emoji/delete', { name: e.url });
            await main(reply?.message || 'Deleted.');
          } catch (error) {
            status.textContent = `Failed: ${error.message}`;
          }
        });
        return el('li', {}, el('img', { src: e.url, alt: e.name, width: 32, height: 32 }), el('span', {}, e.name), remove);
      }));
    root.append(status, list, uploadForm(status));
  } catch (error) {
    app().append(el('p', { class: 'error', role: 'alert' }, `Cannot read the emoji: ${error.message}`));
  }
}

main();
