// "Message the team": the viewer's private thread with the streamer's team (the Chatwoot
// bridge). Shown only when GET /api/chatwoot/thread answers 200 (204 while the bridge is off,
// so nothing is advertised). Messages go out with POST /api/chatwoot/messages; the team's
// replies (and our own messages sent from another device) arrive over the chat websocket as
// CHATWOOT_MESSAGE events, for this viewer only; they never enter the public message list.

import { fetchWithin } from './api.js';
import { el, safeUrl } from './dom.js';

export const EVENT_TYPE = 'CHATWOOT_MESSAGE';
const MAX_LENGTH = 2000;

async function call(path, token, { method = 'GET', body } = {}) {
  const url = `${path}?${new URLSearchParams({ accessToken: token })}`;
  const init = {
    method,
    cache: 'no-store',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  return fetchWithin(url, init, async (response) => {
    let data = null;
    if (response.status !== 204) {
      try {
        data = await response.json();
      } catch {
        // Not JSON: keep the status.
      }
    }
    return { status: response.status, data };
  });
}

export class TeamThread {
  #root;
  #token;
  #els = null;
  #ids = new Set();

  /**
   * @param {HTMLElement} root where the button and the panel go (the chat body)
   * @param {() => string|undefined} token the viewer's chat access token
   */
  constructor(root, token) {
    this.#root = root;
    this.#token = token;
  }

  /**
   * The chat socket (re)connected: (re)load the thread; the first time, maybe show it.
   * Resolves to whether the team inbox is on.
   */
  async connected() {
    const token = this.#token();
    if (!token) return false;
    let answer;
    try {
      answer = await call('/api/chatwoot/thread', token);
    } catch {
      return Boolean(this.#els && !this.#els.wrap.hidden); // away: keep what we had
    }
    if (answer.status !== 200 || !Array.isArray(answer.data?.messages)) {
      if (answer.status === 204 && this.#els) this.#els.wrap.hidden = true; // switched off
      return false;
    }
    this.#build();
    this.#els.wrap.hidden = false;
    for (const message of answer.data.messages) this.#add(message);
    return true;
  }

  /** A moderator sends a chat message to the team; resolves to a notice for the panel. */
  async escalate(messageId) {
    const token = this.#token();
    if (!token) return 'Not connected.';
    let answer;
    try {
      answer = await call('/api/moderation/chatwoot/escalate', token, {
        method: 'POST',
        body: { messageId },
      });
    } catch {
      return 'Could not reach the server.';
    }
    if (answer.status === 202) return 'Sent to the team.';
    return `Could not send it to the team: ${answer.data?.message || `HTTP ${answer.status}`}`;
  }

  /** A websocket event: true when it was ours (a private-thread message). */
  receive(event) {
    if (event?.type !== EVENT_TYPE) return false;
    if (this.#els) {
      const added = this.#add(event);
      if (added && event.author === 'agent' && this.#els.panel.hidden) {
        this.#els.toggle.dataset.unread = 'true';
        this.#els.toggle.textContent = 'Message the team (new reply)';
      }
    }
    return true;
  }

  #build() {
    if (this.#els) return;
    const toggle = el('button', {
      type: 'button',
      id: 'team-toggle',
      class: 'team-toggle oc-outline-button',
      'aria-expanded': 'false',
      'aria-controls': 'team-panel',
      text: 'Message the team',
      onclick: () => this.#setOpen(panel.hidden),
    });
    const list = el('ol', {
      id: 'team-messages',
      class: 'team-messages',
      'aria-label': 'Private messages with the team',
      'aria-live': 'polite',
      tabindex: '0',
    });
    const input = el('textarea', {
      id: 'team-input',
      class: 'team-input',
      rows: '2',
      maxlength: String(MAX_LENGTH),
      required: true,
    });
    const error = el('p', { id: 'team-error', class: 'team-error', role: 'alert', hidden: true });
    const form = el(
      'form',
      { class: 'team-form', onsubmit: (e) => this.#submit(e) },
      el('label', { for: 'team-input', text: 'Your message to the team' }),
      input,
      el('button', { type: 'submit', class: 'button', text: 'Send privately' }),
    );
    const panel = el(
      'section',
      { id: 'team-panel', class: 'team-panel', 'aria-labelledby': 'team-heading', hidden: true },
      el('h3', { id: 'team-heading', text: 'Private messages to the team' }),
      el('p', {
        class: 'team-hint',
        text: 'Only you and the team see these messages.',
      }),
      list,
      error,
      form,
    );
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    const wrap = el(
      'div',
      { id: 'team-thread', class: 'team-thread', hidden: true },
      toggle,
      panel,
    );
    this.#root.append(wrap);
    this.#els = { wrap, toggle, panel, list, input, error };
  }

  #setOpen(open) {
    const { toggle, panel, input } = this.#els;
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) {
      delete toggle.dataset.unread;
      toggle.textContent = 'Message the team';
      input.focus();
    }
  }

  #add(message) {
    if (typeof message?.id !== 'string' || this.#ids.has(message.id)) return false;
    this.#ids.add(message.id);
    const mine = message.author === 'viewer';
    const who = mine ? 'You' : message.senderName || 'The team';
    const links = (Array.isArray(message.attachments) ? message.attachments : [])
      .map(safeUrl)
      .filter(Boolean)
      .map((href) =>
        el('li', {}, el('a', { href, target: '_blank', rel: 'noopener noreferrer', text: href })),
      );
    const item = el(
      'li',
      { class: `team-message team-${mine ? 'viewer' : 'agent'}`, 'data-message-id': message.id },
      el('span', { class: 'team-author', text: `${who}: ` }),
      el('span', { class: 'team-body', text: String(message.body ?? '') }),
      links.length
        ? el('ul', { class: 'team-attachments', 'aria-label': 'Attachments' }, ...links)
        : null,
    );
    this.#els.list.append(item);
    this.#els.list.scrollTop = this.#els.list.scrollHeight;
    return true;
  }

  async #submit(event) {
    event.preventDefault();
    const { input, error } = this.#els;
    const body = input.value.trim();
    const token = this.#token();
    if (!body || !token) return;
    error.hidden = true;
    let answer;
    try {
      answer = await call('/api/chatwoot/messages', token, { method: 'POST', body: { body } });
    } catch {
      answer = { status: 0, data: null };
    }
    if (answer.status === 202) {
      input.value = '';
      this.#add(answer.data);
      return;
    }
    error.textContent =
      answer.data?.message || 'Your message could not be sent. Please try again.';
    error.hidden = false;
  }
}

/** The thread for `root`; call connected() on each chat connection, receive() per event. */
export function mountTeamThread(root, token) {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/static/team-thread.css';
  document.head.append(link);
  return new TeamThread(root, token);
}
