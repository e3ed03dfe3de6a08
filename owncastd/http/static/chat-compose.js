// The writing side of the chat panel: the message box (Enter sends, Shift+Enter is a new line,
// the frame size is counted in bytes against the server's limit), the display-name form and
// the colour picker (Owncast's colours 0–7).

import {
  MAX_NAME_LENGTH,
  MAX_PAYLOAD_BYTES,
  MAX_USER_COLOR,
  colorIndex,
  displayName,
  draftSize,
} from './chat-protocol.js';
import { el } from './dom.js';

export class Composer {
  #els;
  #send;
  #limit;
  #connected = false;
  #self = null;

  /**
   * @param {HTMLElement} root where the form and settings are built
   * @param {{onSend: (body: string) => boolean, onRename: (name: string) => void,
   *          onColor: (index: number) => void, limit?: number}} options
   *   onSend returns false when the message could not be sent (the text is kept).
   */
  constructor(root, { onSend, onRename, onColor, limit = MAX_PAYLOAD_BYTES }) {
    this.#send = onSend;
    this.#limit = Number.isInteger(limit) && limit > 0 ? limit : MAX_PAYLOAD_BYTES;
    const input = el('textarea', {
      id: 'chat-input',
      class: 'chat-input',
      rows: 2,
      placeholder: 'Send a message…',
      autocomplete: 'off',
      'aria-describedby': 'chat-size',
      enterkeyhint: 'send',
    });
    const send = el('button', {
      id: 'chat-send',
      class: 'chat-send',
      type: 'submit',
      text: 'Send',
    });
    const size = el('p', { id: 'chat-size', class: 'chat-size', 'aria-live': 'polite' });
    const form = el(
      'form',
      { id: 'chat-form', class: 'chat-compose', 'aria-label': 'Send a chat message' },
      el('label', { for: 'chat-input', class: 'visually-hidden', text: 'Message' }),
      input,
      send,
      size,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#submit();
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.#submit();
      }
    });
    input.addEventListener('input', () => this.#update());

    const nameInput = el('input', {
      id: 'chat-name-input',
      class: 'chat-name-input',
      type: 'text',
      maxlength: MAX_NAME_LENGTH,
      autocomplete: 'nickname',
      required: true,
    });
    const nameForm = el(
      'form',
      { id: 'chat-name-form', class: 'chat-name-form' },
      el('label', { for: 'chat-name-input', text: 'Display name' }),
      el('div', { class: 'chat-row' }, nameInput, el('button', { type: 'submit', text: 'Change' })),
    );
    nameForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = nameInput.value.trim();
      if (name && name !== this.#self?.displayName) onRename(name);
    });

    const swatches = [];
    for (let i = 0; i <= MAX_USER_COLOR; i += 1) {
      const radio = el('input', {
        type: 'radio',
        name: 'chat-color',
        value: i,
        class: 'chat-color-radio',
        'aria-label': `Colour ${i + 1}`,
      });
      radio.addEventListener('change', () => {
        if (radio.checked) onColor(i);
      });
      const swatch = el('label', { class: 'chat-color-swatch', title: `Colour ${i + 1}` }, radio);
      swatch.style.setProperty('--user-color', `var(--theme-color-users-${i})`);
      swatches.push(swatch);
    }
    const colors = el(
      'fieldset',
      { id: 'chat-colors', class: 'chat-colors' },
      el('legend', { text: 'Name colour' }),
      ...swatches,
    );
    const selfName = el('span', { id: 'chat-self-name', class: 'chat-author', text: '…' });
    const settings = el(
      'details',
      { id: 'chat-settings', class: 'chat-settings' },
      el('summary', {}, el('span', { text: 'Chatting as ' }), selfName),
      nameForm,
      colors,
    );
    root.append(form, settings);
    this.#els = { form, input, send, size, settings, nameInput, colors, selfName };
    this.#update();
  }

  /** Connected or not: sending needs a connection; typing does not. */
  setConnected(connected) {
    this.#connected = connected;
    this.#update();
  }

  /** Show who we are, and keep the name field and colour choice in step with the server. */
  setSelf(user) {
    this.#self = user ?? null;
    const { selfName, nameInput, colors } = this.#els;
    const index = colorIndex(user?.displayColor);
    selfName.textContent = displayName(user, '…');
    selfName.style.setProperty('--user-color', `var(--theme-color-users-${index})`);
    if (document.activeElement !== nameInput) nameInput.value = user?.displayName ?? '';
    for (const radio of colors.querySelectorAll('input')) {
      radio.checked = Number(radio.value) === index;
    }
  }

  /** Hide the whole writing side (read-only: banned, chat disabled, readonly embed). */
  setHidden(hidden) {
    this.#els.form.hidden = hidden;
    this.#els.settings.hidden = hidden;
  }

  #submit() {
    const body = this.#els.input.value.trim();
    if (!body || !this.#connected || draftSize(body, this.#limit).over) return;
    if (this.#send(body)) {
      this.#els.input.value = '';
      this.#update();
    }
  }

  #update() {
    const { input, send, size } = this.#els;
    const { bytes, limit, over, near } = draftSize(input.value.trim(), this.#limit);
    send.disabled = !this.#connected || over || input.value.trim() === '';
    input.setAttribute('aria-invalid', over ? 'true' : 'false');
    size.classList.toggle('chat-size-over', over);
    size.hidden = !near;
    size.textContent = over
      ? `Too long: ${bytes} of ${limit} bytes. Shorten the message to send it.`
      : `${bytes} of ${limit} bytes`;
  }
}
