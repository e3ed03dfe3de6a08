// Entry point of the viewer page (/): config → page, status poll → player / offline panel.

import { loadConfig } from './config.js';
import { setupFollow } from './follow.js';
import { setupNotify } from './notify.js';
import { renderPage } from './page.js';
import { PastBroadcasts } from './replays.js';
import { StatusPoller } from './status.js';
import { applyTheme } from './theme.js';
import { StreamView } from './viewer.js';

const replays = new PastBroadcasts();
const poller = new StatusPoller(
  (status) => {
    replays.applyStatus(status); // first: a replay playing stops before the live player starts
    view.applyStatus(status);
  },
  { onError: (err) => console.warn('status: poll failed', err) },
);
const view = new StreamView({ onEnded: () => poller.pollNow() });
poller.start();

loadConfig().then((config) => {
  applyTheme(config);
  renderPage(config);
  setupNotify(config);
  setupFollow(config);
  view.setConfig(config);
  replays.setConfig(config);
});
