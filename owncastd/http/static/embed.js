// Entry point of the embeddable player (/embed/video): just the video and the offline state.

import { loadConfig } from './config.js';
import { renderIdentity } from './page.js';
import { StatusPoller } from './status.js';
import { applyTheme } from './theme.js';
import { StreamView } from './viewer.js';

const poller = new StatusPoller((status) => view.applyStatus(status), {
  onError: (err) => console.warn('status: poll failed', err),
});
const view = new StreamView({ onEnded: () => poller.pollNow() });
poller.start();

loadConfig().then((config) => {
  applyTheme(config);
  renderIdentity(config);
  view.setConfig(config);
});
