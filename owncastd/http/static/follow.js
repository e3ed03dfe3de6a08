// "Follow": when the server is a Fediverse account (/api/config `federation.enabled`), a header
// button opens a dialog showing the account (with a copy button) and a form to follow it from
// the viewer's own server (Mastodon's authorize_interaction page, in a new tab).

import { byId, el, setText, show } from './dom.js';

const ACCOUNT_PATTERN = /^@?([^@\s]+)@([^@\s/]+)$/;

/** The remote-follow URL on the viewer's server for `account` (user@host), or null. */
export function remoteFollowUrl(viewerAccount, account) {
  const match = ACCOUNT_PATTERN.exec((viewerAccount || '').trim());
  if (!match) return null;
  const query = new URLSearchParams({ uri: `@${account}` });
  return `https://${match[2]}/authorize_interaction?${query}`;
}

function buildDialog(account) {
  const status = el('p', { id: 'follow-status', class: 'follow-status', role: 'status' });
  const copy = el('button', { class: 'action-button', type: 'button', text: 'Copy' });
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(`@${account}`);
      setText(status, 'Copied: paste it into the search of your Fediverse app.');
    } catch {
      setText(status, 'Copying is not allowed here: select the account and copy it.');
    }
  });
  const input = el('input', {
    id: 'follow-account',
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'you@mastodon.social',
    required: true,
  });
  const form = el(
    'form',
    { class: 'follow-form' },
    el('label', { for: 'follow-account', text: 'Your Fediverse account' }),
    input,
    el('button', { class: 'action-button', type: 'submit', text: 'Follow' }),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const url = remoteFollowUrl(input.value, account);
    if (!url) {
      setText(status, 'Enter your account as user@server, e.g. you@mastodon.social.');
      return;
    }
    setText(status, 'Opening your server to confirm the follow…');
    window.open(url, '_blank', 'noopener');
  });
  const close = el('button', {
    class: 'close-button',
    type: 'button',
    'aria-label': 'Close',
    text: '×',
  });
  const title = el('h2', { id: 'follow-title', text: 'Follow on the Fediverse' });
  const handle = el('code', { id: 'follow-handle', text: `@${account}` });
  const intro = 'Follow this stream from Mastodon or any Fediverse app to hear when it goes live.';
  const dialog = el(
    'dialog',
    {
      id: 'follow-dialog',
      class: 'action-dialog follow-dialog',
      'aria-labelledby': 'follow-title',
    },
    el('div', { class: 'action-dialog-header' }, title, close),
    el(
      'div',
      { class: 'follow-body' },
      el('p', { text: intro }),
      el('p', { class: 'follow-account' }, handle, copy),
      form,
      status,
    ),
  );
  close.addEventListener('click', () => dialog.close());
  return dialog;
}

/** Show the "Follow" button when the server federates, and wire its dialog. */
export function setupFollow(config) {
  const federation = config?.federation;
  const account =
    federation?.enabled && typeof federation.account === 'string' ? federation.account : '';
  let button = byId('follow-button');
  if (!account) {
    show(button, false);
    return;
  }
  if (!button) {
    button = el('button', {
      id: 'follow-button',
      class: 'action-button notify-button follow-button',
      type: 'button',
      text: 'Follow',
    });
    byId('notify-button')?.before(button);
    document.body.append(buildDialog(account));
    button.addEventListener('click', () => byId('follow-dialog')?.showModal());
  }
  show(button, true);
}
