// The chat panel: registration, history, the live websocket, moderation and the connection
// state. Used by the viewer page and both chat embeds. State for tests and styling:
// body[data-chat-state=connected|disconnected] and body[data-chat-mode=readwrite|readonly|
// banned|disabled].

import { fetchConfig } from './api.js';
import {
  UnauthorizedError,
  ensureIdentity,
  fetchHistory,
  saveIdentity,
  setMessageVisibility,
  setUserEnabled,
} from './chat-api.js';
import { chatEvent, displayName, socketUrl, staleMessageIds } from './chat-protocol.js';
import { Composer } from './chat-compose.js';
import { mountLogin } from './chat-login.js';
import { ChatSocket } from './chat-socket.js';
import { MessageList } from './chat-view.js';
import { el } from './dom.js';
import { mountTeamThread } from './team-thread.js';

const STATUS = {
  connecting: 'Connecting to chat…',
  disconnected: 'Chat disconnected — reconnecting…',
  banned: 'You have been removed from chat. You can still read along.',
  disabled: 'Chat is disabled.',
};

export class ChatPanel {
  #config;
  #readonly;
  #identity = null;
  #needHistory = false;
  #reregistered = false;
  #everConnected = false;
  #mode;
  #status;
  #list;
  #composer = null;
  #team = null;
  #login = null;
  #socket;

  /**
   * @param {HTMLElement} root the element the panel is built in (its content is replaced)
   * @param {object} config /api/config
   * @param {{readonly?: boolean}} options readonly: messages only (the read-only embed)
   */
  constructor(root, config, { readonly = false } = {}) {
    this.#config = config ?? {};
    this.#readonly = readonly;
    this.#status = el('p', { id: 'chat-status', class: 'chat-status', role: 'status' });
    const messages = el('ol', {
      id: 'chat-messages',
      class: 'chat-messages',
      'aria-label': 'Chat messages',
      tabindex: '0',
    });
    const announcer = el('div', {
      id: 'chat-announcer',
      class: 'visually-hidden',
      'aria-live': 'polite',
      'aria-relevant': 'additions',
    });
    root.replaceChildren(this.#status, messages, announcer);
    root.classList.add('chat-panel');
    this.#list = new MessageList(messages, announcer, {
      onHide: (event) => this.#hide(event),
      onBan: (event) => this.#ban(event),
      onEscalate: async (event) => this.#list.localNotice(await this.#team?.escalate(event.id)),
    });
    if (!readonly) {
      this.#composer = new Composer(root, {
        limit: this.#config.maxSocketPayloadSize,
        onSend: (body) => this.#socket.send(chatEvent(body)),
        onRename: (newName) => this.#socket.send({ type: 'NAME_CHANGE', newName }),
        onColor: (newColor) => this.#socket.send({ type: 'COLOR_CHANGE', newColor }),
      });
      this.#team = mountTeamThread(root, () => this.#identity?.accessToken);
      this.#login = mountLogin(root, this.#config, {
        token: () => this.#identity?.accessToken,
        reconnect: () => this.#socket.reconnectNow(),
      });
    }
    this.#socket = new ChatSocket({
      url: () => this.#prepare(),
      onEvent: (event) => this.#onEvent(event),
      onState: (state) => this.#onSocketState(state),
    });
    this.#setConnected(false);
    this.#setMode(this.#config.chatDisabled ? 'disabled' : this.#defaultMode());
  }

  /** Connect (unless chat is disabled, in which case we keep checking the config). */
  start() {
    this.#socket.start();
    window.addEventListener('online', () => {
      if (!this.#socket.open) this.#socket.reconnectNow();
    });
  }

  #defaultMode() {
    return this.#readonly ? 'readonly' : 'readwrite';
  }

  #setMode(mode) {
    this.#mode = mode;
    document.body.dataset.chatMode = mode;
    this.#composer?.setHidden(mode !== 'readwrite');
    this.#renderStatus();
  }

  #setConnected(connected) {
    document.body.dataset.chatState = connected ? 'connected' : 'disconnected';
    this.#composer?.setConnected(connected);
    this.#renderStatus();
  }

  #renderStatus() {
    let text = '';
    if (this.#mode === 'banned' || this.#mode === 'disabled') text = STATUS[this.#mode];
    else if (document.body.dataset.chatState !== 'connected') {
      text = this.#everConnected ? STATUS.disconnected : STATUS.connecting;
    }
    this.#status.textContent = text;
    this.#status.hidden = text === '';
    this.#status.dataset.kind = this.#mode === 'banned' ? 'error' : 'info';
  }

  /** Before each connection attempt: chat enabled? identity? → the websocket URL or null. */
  async #prepare() {
    if (this.#everConnected || this.#mode === 'disabled') {
      // After a failure the admin may have switched chat off (or on again): ask.
      try {
        this.#config = { ...this.#config, ...(await fetchConfig()) };
      } catch {
        return null; // The server is still away.
      }
      if (this.#config.chatDisabled) {
        this.#setMode('disabled');
        return null;
      }
      if (this.#mode === 'disabled') this.#setMode(this.#defaultMode());
    }
    if (this.#mode === 'disabled') return null;
    try {
      this.#identity = await ensureIdentity();
    } catch (err) {
      console.warn('chat: registration failed', err);
      return null;
    }
    return socketUrl(window.location, this.#identity.accessToken, this.#config.socketHostOverride);
  }

  #onSocketState(state) {
    if (state === 'open') this.#needHistory = true;
    else this.#setConnected(false);
  }

  #onEvent(event) {
    if (this.#team?.receive(event)) return; // private to this viewer: never in the public list
    switch (event.type) {
      case 'CONNECTED_USER_INFO':
        this.#connectedAs(event.user);
        break;
      case 'ERROR_NEEDS_REGISTRATION':
        // Our token is unknown (a wiped server): register again on the next attempt.
        saveIdentity(null);
        this.#identity = null;
        break;
      case 'ERROR_USER_DISABLED':
        this.#socket.stop();
        this.#setMode('banned');
        this.#setConnected(false);
        break;
      case 'VISIBILITY-UPDATE': {
        const missing = this.#list.setVisibility(event.ids, event.visible);
        if (event.visible && missing.length > 0) this.#loadHistory();
        break;
      }
      default:
        this.#list.add(event);
    }
  }

  #connectedAs(user) {
    if (!user || typeof user !== 'object') return;
    if (this.#identity) {
      this.#identity = { ...this.#identity, id: user.id, displayName: user.displayName };
      saveIdentity(this.#identity);
    }
    this.#list.setSelf(user);
    this.#composer?.setSelf(user);
    this.#login?.setSelf(user);
    this.#socket.resetBackoff();
    this.#everConnected = true;
    if (this.#mode === 'banned') this.#setMode(this.#defaultMode());
    this.#setConnected(true);
    this.#team?.connected().then((on) => this.#list.setEscalation(on));
    if (this.#needHistory) {
      this.#needHistory = false;
      this.#loadHistory();
    }
  }

  async #loadHistory() {
    const token = this.#identity?.accessToken;
    if (!token) return;
    let history;
    try {
      history = await fetchHistory(token);
    } catch (err) {
      if (err instanceof UnauthorizedError && !this.#reregistered) {
        // The brief's rule: a refused token means registering again (once per refusal).
        this.#reregistered = true;
        saveIdentity(null);
        this.#identity = null;
        this.#socket.reconnectNow();
      } else {
        console.warn('chat: history failed', err);
      }
      return;
    }
    this.#reregistered = false;
    for (const event of history) this.#list.add(event, { live: false });
    // Hidden (or banned users') messages that went away while we were disconnected.
    this.#list.setVisibility(staleMessageIds(this.#list.entries(), history), false);
  }

  async #hide(event) {
    try {
      await setMessageVisibility(this.#identity.accessToken, [event.id], false);
    } catch (err) {
      this.#list.localNotice(`Could not hide the message: ${err.message}`);
    }
  }

  async #ban(event) {
    const who = displayName(event.user);
    try {
      await setUserEnabled(this.#identity.accessToken, event.user.id, false);
    } catch (err) {
      this.#list.localNotice(`Could not ban ${who}: ${err.message}`);
    }
  }
}

/** Build and start the panel in `root` for /api/config `config`. */
export function mountChat(root, config, options) {
  const panel = new ChatPanel(root, config, options);
  panel.start();
  return panel;
}
