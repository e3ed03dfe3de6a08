// Admin styling: appearanceVariables become CSS custom properties on :root, and
// customStyles is injected into <style id="custom-styles"> (as text, never as markup).

import { byId } from './dom.js';

const VARIABLE_NAME = /^(?:--)?[A-Za-z0-9_-]+$/;

/** Set each {name: value} as a CSS custom property on :root ("name" → "--name"). */
export function applyAppearanceVariables(variables, root = document.documentElement) {
  if (!variables || typeof variables !== 'object') return;
  for (const [name, value] of Object.entries(variables)) {
    if (!VARIABLE_NAME.test(name)) continue;
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const property = name.startsWith('--') ? name : `--${name}`;
    root.style.setProperty(property, String(value));
  }
}

/** Put the admin's custom CSS into the page. */
export function applyCustomStyles(css) {
  let style = byId('custom-styles');
  if (!style) {
    style = document.createElement('style');
    style.id = 'custom-styles';
    document.head.append(style);
  }
  style.textContent = typeof css === 'string' ? css : '';
}

/** Apply both parts of /api/config's styling. */
export function applyTheme(config) {
  applyAppearanceVariables(config?.appearanceVariables);
  applyCustomStyles(config?.customStyles);
}
