// "Notify me": browser push for the go-live moment. Offered only when /api/config offers it
// (browser push on, with the server's VAPID key) and the browser can take push at all.

import { ensureIdentity } from './chat-api.js';
import { byId, setText, show } from './dom.js';

const CHANNEL = 'BROWSER_PUSH_NOTIFICATION';

/** The base64url VAPID key as the bytes PushManager.subscribe takes. */
export function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function pushSupported() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

async function registerSubscription(subscription) {
  const identity = await ensureIdentity();
  const query = new URLSearchParams({ accessToken: identity.accessToken });
  const response = await fetch(`/api/notifications/register?${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ channel: CHANNEL, destination: JSON.stringify(subscription) }),
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.message || `HTTP ${response.status}`);
  }
}

async function subscribe(publicKey, button, status) {
  button.disabled = true;
  setText(status, 'Turning on notifications…');
  try {
    if ((await Notification.requestPermission()) !== 'granted') {
      setText(status, 'Notifications are blocked for this site in your browser settings.');
      button.disabled = false;
      return;
    }
    const registration = await navigator.serviceWorker.register('/serviceWorker.js', {
      scope: '/',
    });
    await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(publicKey),
    });
    await registerSubscription(subscription);
    button.setAttribute('aria-pressed', 'true');
    setText(button, 'Notifications on');
    setText(status, "You'll get a notification when the stream goes live.");
  } catch (err) {
    console.warn('notify: subscribing failed', err);
    setText(status, `Could not turn on notifications: ${err.message || err}`);
    button.disabled = false;
  }
}

/** Show the "Notify me" button when push is offered, and wire it. */
export function setupNotify(config) {
  const button = byId('notify-button');
  const status = byId('notify-status');
  const push = config?.notifications?.browser;
  const offered = Boolean(push?.enabled && typeof push.publicKey === 'string' && push.publicKey);
  show(button, offered && pushSupported());
  if (!button || !offered || !pushSupported() || button.dataset.wired) return;
  button.dataset.wired = 'true';
  button.addEventListener('click', () => subscribe(push.publicKey, button, status));
}
