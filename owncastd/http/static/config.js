// Loads /api/config, retrying until the server answers.

import { fetchConfig } from './api.js';

const RETRY_MS = 5000;

/** Resolve with /api/config, retrying every few seconds on failure. */
export async function loadConfig() {
  for (;;) {
    try {
      const config = await fetchConfig();
      if (config && typeof config === 'object') return config;
    } catch (err) {
      console.warn('config: retrying', err);
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}
