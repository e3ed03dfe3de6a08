// Config pages, generated from the settings table: GET /api/admin/config/keys says which keys
// exist (doc, type, bounds, choices, when a change applies, which setter takes it) and
// /api/admin/serverconfig holds their current values. Each field saves through its own
// Owncast setter and shows the setter's 400 message next to it.

import { app, el, get, post } from './admin-api.js';
import { tableEditor } from './config-tables.js';

const EDITABLE = new Set(['text', 'markdown', 'url', 'ip address', 'path', 'account name', 'integer', 'bool', 'list', 'password']);
const APPLIES = { now: 'Applies at once', 'next stream': 'Applies from the next stream', restart: 'Applies after a restart' };

const fieldId = (key) => `field-${key.key.replaceAll('.', '-')}`;

function label(key) {
  const parts = key.key.split('.');
  const last = parts.pop();
  const name = (last === 'enabled' ? `${parts.pop()} ${last}` : last).replaceAll('_', ' ');
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function currentValue(config, key) {
  if (!key.shown) return undefined;
  return key.shown.split('.').reduce((node, part) => (node == null ? undefined : node[part]), config);
}

function input(key, value, id) {
  const disabled = !key.supported || !key.setter;
  if (key.type === 'bool') return el('input', { type: 'checkbox', id, checked: Boolean(value), disabled });
  if (key.choices) {
    return el('select', { id, disabled }, key.choices.map((choice) =>
      el('option', { value: choice, selected: String(value) === choice }, choice)));
  }
  if (key.type === 'integer') {
    return el('input', { type: 'number', id, value: value ?? '', min: key.min, max: key.max, disabled });
  }
  if (key.type === 'password') {
    return el('input', { type: 'password', id, value: '', autocomplete: 'new-password', placeholder: 'A new password', disabled });
  }
  if (key.type === 'markdown' || key.type === 'list') {
    const text = Array.isArray(value) ? value.join('\n') : (value ?? '');
    return el('textarea', { id, maxlength: key.type === 'list' ? null : key.maxLength, disabled }, text);
  }
  const shown = key.secret ? '' : (value ?? '');
  return el('input', { type: 'text', id, value: shown, maxlength: key.maxLength, disabled,
    placeholder: key.secret ? 'hidden: type a new value to replace it' : null });
}

function readInput(key, control) {
  if (control.type === 'table') return control.read();
  if (key.type === 'bool') return control.checked;
  if (key.type === 'integer') return Number(control.value);
  if (key.type === 'list') return control.value.split('\n').map((s) => s.trim()).filter(Boolean);
  return control.value;
}

function readOnly(key, value) {
  if (key.secret) {
    // Never in the page until asked for: revealing builds it, hiding removes it again.
    const count = Array.isArray(value) ? `${value.length} set` : 'set';
    const holder = el('div', { class: 'secret-value' });
    const reveal = el('button', { type: 'button', 'aria-expanded': 'false' }, 'Reveal');
    reveal.addEventListener('click', () => {
      const open = reveal.getAttribute('aria-expanded') !== 'true';
      holder.replaceChildren(...(open ? [el('pre', {}, JSON.stringify(value, null, 2))] : []));
      reveal.setAttribute('aria-expanded', String(open));
      reveal.textContent = open ? 'Hide' : 'Reveal';
    });
    return el('div', {}, el('p', {}, `Hidden (${count}). `, reveal), holder);
  }
  return el('pre', {}, value === undefined ? '(not reported)' : JSON.stringify(value, null, 2));
}

function why(key) {
  if (!key.supported) return `Not supported by owncastd yet: ${key.feature}.`;
  if (!key.setter) return 'Set in owncast.toml (no admin setter); reload or restart to apply.';
  if (key.items) return '';
  if (!EDITABLE.has(key.type) && !key.choices) return `Edit with: owncastctl config set ${key.key} …`;
  return '';
}

async function save(key, control, status, button) {
  status.className = 'status';
  status.textContent = 'Saving…';
  button.disabled = true;
  try {
    const value = readInput(key, control);
    const body = key.field ? { [key.field]: value } : value;
    const reply = await post(`/api/admin/config/${key.setter}`, { value: body });
    status.className = 'status saved';
    status.textContent = reply?.message ? `Saved: ${reply.message}` : 'Saved';
    control.removeAttribute('aria-invalid');
    if (key.type === 'password') control.value = '';
  } catch (error) {
    status.className = 'status error';
    status.textContent = error.message;
    control.setAttribute('aria-invalid', 'true');
  } finally {
    button.disabled = false;
  }
}

function field(key, config) {
  const id = fieldId(key);
  const value = currentValue(config, key);
  const note = why(key);
  const editable = !note || (!key.supported && (EDITABLE.has(key.type) || key.choices));
  const parts = [
    el(editable && !key.items ? 'label' : 'span', { for: editable && !key.items ? id : null, class: editable && !key.items ? null : 'label', id: `${id}-label` }, label(key), ' ', el('code', {}, key.key)),
    el('p', { class: 'doc', id: `${id}-doc` }, key.doc),
    el('p', { class: 'meta' }, APPLIES[key.applies] || key.applies, note ? ` · ${note}` : ''),
  ];
  if (!editable) return el('div', { class: 'field', id: `${id}-box` }, parts, readOnly(key, value));
  if (key.items && key.secret) return secretTableField(key, value, id, parts);
  if (key.items) return tableField(key, value, id, parts);
  const control = input(key, value, id);
  control.setAttribute('aria-describedby', `${id}-doc ${id}-status`);
  const status = el('p', { class: 'status', id: `${id}-status`, role: 'status' });
  const button = el('button', { type: 'submit', class: 'primary', disabled: control.disabled }, 'Save');
  const form = el('form', { class: 'field', id: `${id}-box`, 'data-key': key.key }, parts, control,
    el('div', { class: 'row' }, button), status);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save(key, control, status, button);
  });
  return form;
}

// A secret array (stream keys): masked; "Reveal and edit" puts the rows into the page.
function secretTableField(key, value, id, parts) {
  const count = Array.isArray(value) ? value.length : 0;
  const holder = el('div', {});
  const reveal = el('button', { type: 'button', 'aria-expanded': 'false' }, 'Reveal and edit');
  reveal.addEventListener('click', () => {
    const open = reveal.getAttribute('aria-expanded') !== 'true';
    holder.replaceChildren(...(open ? [tableField(key, value, id, [], 'div')] : []));
    reveal.setAttribute('aria-expanded', String(open));
    reveal.textContent = open ? 'Hide' : 'Reveal and edit';
  });
  return el('div', { class: 'field', id: `${id}-box` }, parts, el('p', {}, `Hidden (${count} set). `, reveal), holder);
}

function tableField(key, value, id, parts, wrapper = 'field') {
  const editor = tableEditor(id, key, value);
  const status = el('p', { class: 'status', id: `${id}-status`, role: 'status' });
  const button = el('button', { type: 'submit', class: 'primary' }, 'Save');
  const form = el('form', { class: wrapper === 'field' ? 'field' : null, id: wrapper === 'field' ? `${id}-box` : `${id}-form`, 'data-key': key.key, 'aria-labelledby': `${id}-label` },
    parts, editor.node, el('div', { class: 'row' }, button), status);
  const control = { type: 'table', read: editor.read, setAttribute() {}, removeAttribute() {} };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save(key, control, status, button);
  });
  return form;
}

function selected(keys, prefixes) {
  const matches = (p, key) => (p.endsWith('.') ? key.key.startsWith(p) : key.key === p);
  return prefixes.flatMap((p) => keys.filter((key) => matches(p, key)));
}

async function main() {
  const root = document.getElementById('app');
  const prefixes = (root.dataset.configKeys || '').split(' ').filter(Boolean);
  try {
    const [keys, config] = await Promise.all([get('/api/admin/config/keys'), get('/api/admin/serverconfig')]);
    const container = app();
    const fields = selected(keys, prefixes).map((key) => field(key, config));
    container.append(...fields);
    document.body.dataset.ready = 'yes';
  } catch (error) {
    app().append(el('p', { class: 'error', role: 'alert' }, `Cannot read the settings: ${error.message}`));
  }
}

main();
