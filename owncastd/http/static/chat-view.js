// The message list: one <li data-message-id> per server event, in time order, deduplicated by
// id. Names and other plain fields always go through textContent; message bodies only through
// the allow-list sanitiser. Moderators get hide/ban buttons on other people's messages.

import { colorIndex, displayName, eventTime, isModerator } from './chat-protocol.js';
import { sanitizeHTML } from './chat-sanitize.js';
import { el } from './dom.js';

const MAX_ITEMS = 500;
const NEAR_BOTTOM_PX = 48;
const ANNOUNCED_LINES = 3;
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

function timeElement(event) {
  const t = eventTime(event);
  if (Number.isNaN(t)) return null;
  const date = new Date(t);
  return el('time', {
    class: 'chat-time',
    datetime: date.toISOString(),
    title: date.toLocaleString(),
    text: timeFormat.format(date),
  });
}

const badge = (kind, text, title) =>
  el('span', { class: `chat-badge chat-badge-${kind}`, title, text });

function author(user, fallback) {
  const name = el('span', { class: 'chat-author', text: displayName(user, fallback) });
  const color = colorIndex(user?.displayColor);
  name.style.setProperty('--user-color', `var(--theme-color-users-${color})`);
  const badges = [];
  if (isModerator(user)) badges.push(badge('mod', 'Mod', 'Moderator'));
  if (user?.isBot) badges.push(badge('bot', 'Bot', 'Bot'));
  if (user?.authenticated) badges.push(badge('auth', '✓', 'Verified'));
  return [name, ...badges];
}

const body = (html) => el('div', { class: 'chat-text rich-text' }, sanitizeHTML(html));

const NOTICES = {
  USER_JOINED: (e) => [`${displayName(e.user)} joined the chat.`, 'join'],
  USER_PARTED: (e) => [`${displayName(e.user)} left the chat.`, 'part'],
  NAME_CHANGE: (e) => [
    `${typeof e.oldName === 'string' && e.oldName ? e.oldName : 'Someone'} is now known as ` +
      `${displayName(e.user)}.`,
    'rename',
  ],
};

export class MessageList {
  #list;
  #announcer;
  #actions;
  #items = new Map(); // id → {event, node}
  #self = null;
  #moderator = false;
  #escalation = false; // the team inbox is on: moderators get a "Team" button

  /**
   * @param {HTMLElement} list the <ol id="chat-messages">
   * @param {HTMLElement} announcer an aria-live=polite region for new messages
   * @param {{onHide: (event) => void, onBan: (event) => void,
   *          onEscalate?: (event) => void}} actions moderator callbacks
   */
  constructor(list, announcer, actions) {
    this.#list = list;
    this.#announcer = announcer;
    this.#actions = actions;
  }

  /** The signed-in user (CONNECTED_USER_INFO): own messages, moderator actions. */
  setSelf(user) {
    this.#self = user ?? null;
    const moderator = isModerator(user);
    if (moderator === this.#moderator) return;
    this.#moderator = moderator;
    for (const item of this.#items.values()) this.#decorate(item);
  }

  /** Whether moderators may send a message to the team (the Chatwoot bridge is on). */
  setEscalation(enabled) {
    if (Boolean(enabled) === this.#escalation) return;
    this.#escalation = Boolean(enabled);
    for (const item of this.#items.values()) this.#decorate(item);
  }

  /** {id, type, timestamp} of everything shown (for history reconciliation). */
  entries() {
    return [...this.#items.values()].map(({ event }) => event);
  }

  has(id) {
    return this.#items.has(id);
  }

  /** Show one server event. live: append and announce; otherwise insert in time order. */
  add(event, { live = true } = {}) {
    if (typeof event?.id !== 'string' || !event.id || this.#items.has(event.id)) return false;
    const node = this.#render(event);
    if (!node) return false;
    node.dataset.messageId = event.id;
    node.dataset.messageType = event.type;
    if (event.visible === false || event.hiddenAt) node.hidden = true;
    const item = { event, node };
    this.#items.set(event.id, item);
    this.#decorate(item);
    this.#insert(node, live ? Number.POSITIVE_INFINITY : eventTime(event));
    if (live && !node.hidden) this.#announce(event, node);
    this.#trim();
    return true;
  }

  /** A VISIBILITY-UPDATE; returns the ids we do not hold (an unhide we never saw). */
  setVisibility(ids, visible) {
    const missing = [];
    for (const id of Array.isArray(ids) ? ids : []) {
      const item = this.#items.get(id);
      if (!item) missing.push(id);
      else {
        item.event = { ...item.event, visible: Boolean(visible) };
        this.#keepBottom(() => {
          item.node.hidden = !visible;
        });
      }
    }
    return missing;
  }

  /** A note from this page (request failures), not from the server: no message id. */
  localNotice(text) {
    const node = el('li', { class: 'chat-item chat-local-notice', role: 'note', text });
    this.#keepBottom(() => this.#list.append(node));
    this.#announcer.replaceChildren(el('p', { text }));
  }

  #render(event) {
    switch (event.type) {
      case 'CHAT':
        return el(
          'li',
          { class: 'chat-item chat-message', 'data-user-id': event.user?.id ?? null },
          el('div', { class: 'chat-meta' }, ...author(event.user), timeElement(event)),
          body(event.body),
        );
      case 'SYSTEM':
        return el(
          'li',
          { class: 'chat-item chat-system' },
          el('div', { class: 'chat-meta' }, ...author(event.user, 'System'), timeElement(event)),
          body(event.body),
        );
      case 'CHAT_ACTION':
        return el('li', { class: 'chat-item chat-action' }, body(event.body));
      case 'USER_JOINED':
      case 'USER_PARTED':
      case 'NAME_CHANGE': {
        const [text, kind] = NOTICES[event.type](event);
        return el('li', { class: `chat-item chat-notice chat-notice-${kind}`, text });
      }
      default:
        if (event.type.startsWith('FEDIVERSE_ENGAGEMENT')) {
          const title = typeof event.title === 'string' ? event.title : '';
          return el(
            'li',
            { class: 'chat-item chat-system chat-fediverse' },
            el('div', { class: 'chat-meta' }, el('span', { class: 'chat-author', text: title })),
            body(event.body),
          );
        }
        return null;
    }
  }

  /** Add or remove the moderator buttons of one CHAT item. */
  #decorate(item) {
    const { event, node } = item;
    if (event.type !== 'CHAT') return;
    const own = this.#self && event.user?.id === this.#self.id;
    node.classList.toggle('chat-message-self', Boolean(own));
    node.querySelector('.chat-mod-actions')?.remove();
    if (!this.#moderator || own) return;
    const who = displayName(event.user);
    const hide = el('button', {
      type: 'button',
      class: 'chat-mod-button',
      'data-action': 'hide',
      'aria-label': `Hide this message from ${who}`,
      title: 'Hide message',
      text: 'Hide',
      onclick: () => this.#actions.onHide(event),
    });
    const buttons = [hide];
    if (!event.user?.isBot && event.user?.id) {
      buttons.push(
        el('button', {
          type: 'button',
          class: 'chat-mod-button chat-mod-ban',
          'data-action': 'ban',
          'aria-label': `Ban ${who} from chat`,
          title: 'Ban user',
          text: 'Ban',
          onclick: () => this.#confirmBan(node, event),
        }),
      );
    }
    if (this.#escalation && this.#actions.onEscalate) {
      buttons.push(
        el('button', {
          type: 'button',
          class: 'chat-mod-button',
          'data-action': 'escalate',
          'aria-label': `Send this message from ${who} to the team`,
          title: 'Send to the team',
          text: 'Team',
          onclick: () => this.#actions.onEscalate(event),
        }),
      );
    }
    node.append(el('div', { class: 'chat-mod-actions' }, ...buttons));
  }

  /** An inline "Ban X?" confirmation (window.confirm is blocked in sandboxed embeds). */
  #confirmBan(node, event) {
    const bar = node.querySelector('.chat-mod-actions');
    if (!bar) return;
    const restore = () => {
      const item = this.#items.get(event.id);
      if (item) this.#decorate(item);
      node.querySelector('[data-action=ban]')?.focus();
    };
    const yes = el('button', {
      type: 'button',
      class: 'chat-mod-button chat-mod-ban',
      'data-action': 'ban-confirm',
      text: 'Ban',
      onclick: () => {
        restore();
        this.#actions.onBan(event);
      },
    });
    const no = el('button', {
      type: 'button',
      class: 'chat-mod-button',
      'data-action': 'ban-cancel',
      text: 'Cancel',
      onclick: restore,
    });
    bar.replaceChildren(
      el('span', {
        class: 'chat-mod-question',
        text: `Ban ${displayName(event.user)}? Their messages will be hidden.`,
      }),
      yes,
      no,
    );
    bar.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') restore();
    });
    yes.focus();
  }

  #insert(node, time) {
    this.#keepBottom(() => {
      let before = null;
      if (Number.isFinite(time)) {
        // History: before the first item that is newer (items without a time stay put).
        for (const child of this.#list.children) {
          const id = child.dataset.messageId;
          const t = id ? eventTime(this.#items.get(id)?.event) : Number.NaN;
          if (t > time) {
            before = child;
            break;
          }
        }
      }
      this.#list.insertBefore(node, before);
    });
  }

  /** Run a DOM change and stay scrolled to the bottom if we were there. */
  #keepBottom(change) {
    const list = this.#list;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM_PX;
    change();
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  #announce(event, node) {
    const text = node.querySelector('.chat-text')?.textContent ?? node.textContent;
    const line = event.type === 'CHAT' ? `${displayName(event.user)}: ${text}` : text;
    this.#announcer.append(el('p', { text: line }));
    while (this.#announcer.childElementCount > ANNOUNCED_LINES) {
      this.#announcer.firstElementChild.remove();
    }
  }

  #trim() {
    while (this.#list.childElementCount > MAX_ITEMS) {
      const first = this.#list.firstElementChild;
      if (first.dataset.messageId) this.#items.delete(first.dataset.messageId);
      first.remove();
    }
  }
}
