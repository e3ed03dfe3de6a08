// Entry point of the chat panel, on the viewer page (/) and on the chat embeds
// (/embed/chat/readwrite, /embed/chat/readonly; <body data-chat-embed=…>).

import { byId } from './dom.js';
import { loadConfig } from './config.js';
import { mountChat } from './chat-panel.js';
import { applyTheme } from './theme.js';

const root = byId('chat-body');
const embed = document.body.dataset.chatEmbed;

if (root) {
  loadConfig().then((config) => {
    if (embed) {
      applyTheme(config);
      if (typeof config.name === 'string' && config.name) document.title = `${config.name} chat`;
    } else if (config.chatDisabled) {
      return; // The page hides the chat column.
    }
    mountChat(root, config, { readonly: embed === 'readonly' });
  });
}
