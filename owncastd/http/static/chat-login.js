// "Authenticate": a chat user proves who they are (Owncast's Authenticate modal), with
// IndieAuth (their web page; offered when /api/config says indieAuthEnabled) or a one-time code
// sent to their Fediverse account (offered when federation is on). A login counts from the
// next connection, so the panel reconnects after a Fediverse code; IndieAuth comes back to the
// page through the server's callback. The button hides once the user is authenticated.

import { fetchWithin } from './api.js';
import { el } from './dom.js';

async function post(path, token, body) {
  const url = `${path}?${new URLSearchParams({ accessToken: token })}`;
  const init = {
    method: 'POST',
    cache: 'no-store',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
  return fetchWithin(url, init, async (response) => {
    let data = null;
    try {
      data = await response.json();
    } catch {
      // Not JSON (a 401 is text): keep the status.
    }
    if (response.ok) return data;
    const message = response.status === 401 ? 'Please reload the page and try again.' : null;
    throw new Error(message || data?.message || `HTTP ${response.status}`);
  });
}

function field(id, label, props) {
  return el(
    'p',
    { class: 'login-field' },
    el('label', { for: id, text: label }),
    el('input', { id, class: 'login-input', required: true, ...props }),
  );
}

export class ChatLogin {
  #token;
  #reconnect;
  #methods;
  #els = {};

  /**
   * @param {HTMLElement} root the chat panel
   * @param {object} config /api/config
   * @param {{token: () => string|undefined, reconnect: () => void}} hooks
   */
  constructor(root, config, { token, reconnect }) {
    this.#token = token;
    this.#reconnect = reconnect;
    this.#methods = [
      config?.authentication?.indieAuthEnabled ? 'indieauth' : null,
      config?.federation?.enabled ? 'fediverse' : null,
    ].filter(Boolean);
    if (this.#methods.length === 0) return;
    const toggle = el('button', {
      id: 'login-toggle',
      class: 'login-toggle oc-outline-button',
      type: 'button',
      text: 'Authenticate',
      'aria-haspopup': 'dialog',
      hidden: true,
      onclick: () => this.#open(),
    });
    this.#els.toggle = toggle;
    root.append(toggle, this.#dialog());
  }

  /** The connected user: offer the login only to a user not authenticated yet. */
  setSelf(user) {
    if (this.#els.toggle) this.#els.toggle.hidden = Boolean(user?.authenticated);
  }

  #dialog() {
    const tabs = el('div', { class: 'login-tabs', role: 'tablist', 'aria-label': 'Login with' });
    const panels = [];
    for (const method of this.#methods) {
      const label = method === 'indieauth' ? 'IndieAuth' : 'Fediverse';
      const tab = el('button', {
        id: `login-tab-${method}`,
        class: 'login-tab',
        type: 'button',
        role: 'tab',
        'aria-controls': `login-panel-${method}`,
        text: label,
        onclick: () => this.#select(method),
        onkeydown: (e) => this.#arrow(e),
      });
      tabs.append(tab);
      const panel = method === 'indieauth' ? this.#indieAuthPanel() : this.#fediversePanel();
      panel.setAttribute('aria-labelledby', tab.id);
      panels.push(panel);
    }
    const dialog = el(
      'dialog',
      { id: 'login-dialog', class: 'login-dialog', 'aria-labelledby': 'login-heading' },
      el('h3', { id: 'login-heading', text: 'Authenticate' }),
      el('p', {
        class: 'login-hint',
        text: 'Prove who you are so others know it is you, and keep your name across devices.',
      }),
      tabs,
      ...panels,
      el('p', { id: 'login-status', class: 'login-status', role: 'status' }),
      el('button', {
        type: 'button',
        class: 'login-close oc-primary-button',
        text: 'Close',
        onclick: () => dialog.close(),
      }),
    );
    this.#els.dialog = dialog;
    this.#els.status = dialog.querySelector('#login-status');
    return dialog;
  }

  #indieAuthPanel() {
    const form = el(
      'form',
      { id: 'login-panel-indieauth', class: 'login-panel', role: 'tabpanel' },
      field('login-indieauth-url', 'Your website', {
        type: 'url',
        placeholder: 'https://yoursite.example',
        autocomplete: 'url',
      }),
      el('button', { type: 'submit', class: 'login-submit oc-primary-button', text: 'Continue' }),
    );
    form.addEventListener('submit', (e) => this.#startIndieAuth(e, form));
    return form;
  }

  #fediversePanel() {
    const account = el(
      'form',
      { class: 'login-step' },
      field('login-fediverse-account', 'Your Fediverse account', {
        type: 'text',
        placeholder: 'you@server.example',
        autocomplete: 'username',
      }),
      el('button', { type: 'submit', class: 'login-submit oc-primary-button', text: 'Send code' }),
    );
    const code = el(
      'form',
      { class: 'login-step', hidden: true },
      field('login-fediverse-code', 'Code from the direct message', {
        type: 'text',
        inputmode: 'numeric',
        autocomplete: 'one-time-code',
        pattern: '[0-9]{6}',
      }),
      el('button', { type: 'submit', class: 'login-submit oc-primary-button', text: 'Verify' }),
    );
    account.addEventListener('submit', (e) => this.#sendCode(e, account, code));
    code.addEventListener('submit', (e) => this.#verify(e, code));
    return el(
      'div',
      { id: 'login-panel-fediverse', class: 'login-panel', role: 'tabpanel' },
      account,
      code,
    );
  }

  #open() {
    this.#say('');
    this.#select(this.#methods[0]);
    this.#els.dialog.showModal();
  }

  #select(method) {
    for (const other of this.#methods) {
      const on = other === method;
      const tab = this.#els.dialog.querySelector(`#login-tab-${other}`);
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      this.#els.dialog.querySelector(`#login-panel-${other}`).hidden = !on;
    }
  }

  #arrow(event) {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const step = event.key === 'ArrowRight' ? 1 : -1;
    const current = this.#methods.indexOf(event.target.id.replace('login-tab-', ''));
    const next = this.#methods[(current + step + this.#methods.length) % this.#methods.length];
    this.#select(next);
    this.#els.dialog.querySelector(`#login-tab-${next}`).focus();
  }

  #say(text, kind = 'info') {
    this.#els.status.textContent = text;
    this.#els.status.dataset.kind = kind;
  }

  async #startIndieAuth(event, form) {
    event.preventDefault();
    const authHost = form.querySelector('input').value.trim();
    this.#say('Finding your login page…');
    try {
      const answer = await post('/api/auth/indieauth', this.#token(), { authHost });
      window.location.assign(answer.redirect);
    } catch (err) {
      this.#say(`Could not start the login: ${err.message}`, 'error');
    }
  }

  async #sendCode(event, accountForm, codeForm) {
    event.preventDefault();
    const account = accountForm.querySelector('input').value.trim().replace(/^@/, '');
    this.#say('Sending a code…');
    try {
      await post('/api/auth/fediverse', this.#token(), { account });
    } catch (err) {
      this.#say(err.message, 'error');
      return;
    }
    codeForm.hidden = false;
    codeForm.querySelector('input').focus();
    this.#say(`A code was sent to ${account} as a direct message.`);
  }

  async #verify(event, codeForm) {
    event.preventDefault();
    const code = codeForm.querySelector('input').value.trim();
    try {
      await post('/api/auth/fediverse/verify', this.#token(), { code });
    } catch (err) {
      this.#say(err.message, 'error');
      return;
    }
    this.#say('You are authenticated.');
    this.#els.dialog.close();
    this.#reconnect();
  }
}

/** The login button and dialog in the chat panel `root` (nothing when no login is offered). */
export function mountLogin(root, config, hooks) {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/static/chat-login.css';
  document.head.append(link);
  return new ChatLogin(root, config, hooks);
}
