// Editing an array-of-tables setting (social handles, external actions, video variants) from
// the settings table's `items` (each field's JSON name, type and bounds): one row per entry,
// rows added and removed, the whole array saved through the key's setter.

import { el } from './admin-api.js';

function blank(items) {
  return Object.fromEntries(Object.entries(items).map(([name, spec]) => [name,
    spec.type === 'bool' ? false : spec.type === 'integer' ? (spec.min ?? 0) : '']));
}

function cell(id, label, name, spec, value) {
  const aria = `${label}: ${name}`;
  if (spec.type === 'bool') return el('input', { type: 'checkbox', id, 'data-name': name, checked: Boolean(value), 'aria-label': aria });
  if (spec.type === 'integer') {
    return el('input', { type: 'number', id, 'data-name': name, value: value ?? '', min: spec.min, max: spec.max, 'aria-label': aria });
  }
  return el('input', { type: 'text', id, 'data-name': name, value: value ?? '', 'aria-label': aria });
}

/** The editor: returns {node, read()} where read() gives the array to send. */
export function tableEditor(id, key, value) {
  const items = key.items;
  const names = Object.keys(items);
  const rows = Array.isArray(value) ? value.map((entry) => ({ ...blank(items), ...entry })) : [];
  const body = el('tbody', {});
  const table = el('table', { class: 'responsive table-editor', id },
    el('thead', {}, el('tr', {}, names.map((n) => el('th', { scope: 'col' }, n)), el('th', { scope: 'col' }, ''))),
    body);
  const draw = () => {
    body.replaceChildren(...rows.map((entry, i) => {
      const remove = el('button', { type: 'button', class: 'danger', 'aria-label': `Remove row ${i + 1}` }, 'Remove');
      remove.addEventListener('click', () => { rows.splice(i, 1); draw(); });
      return el('tr', { 'data-row': i },
        names.map((name) => el('td', { 'data-label': name }, cell(`${id}-${i}-${name}`, `Row ${i + 1}`, name, items[name], entry[name]))),
        el('td', {}, remove));
    }));
  };
  const sync = () => {
    body.querySelectorAll('tr').forEach((tr, i) => {
      tr.querySelectorAll('input').forEach((input) => {
        const spec = items[input.dataset.name];
        rows[i][input.dataset.name] = spec.type === 'bool' ? input.checked
          : spec.type === 'integer' ? Number(input.value) : input.value;
      });
    });
  };
  const add = el('button', { type: 'button', id: `${id}-add` }, 'Add a row');
  add.addEventListener('click', () => { sync(); rows.push(blank(items)); draw(); });
  draw();
  return { node: el('div', {}, table, el('div', { class: 'row' }, add)), read: () => { sync(); return rows.map((r) => ({ ...r })); } };
}
