// The admin shell on every page: the theme toggle (remembered) and the phone-width menu.

const THEME_KEY = 'owncastd-admin-theme';
const root = document.documentElement;

function effectiveTheme() {
  const chosen = root.dataset.theme;
  if (chosen === 'light' || chosen === 'dark') return chosen;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function showThemeButton(button) {
  const dark = effectiveTheme() === 'dark';
  button.setAttribute('aria-pressed', String(dark));
  button.textContent = dark ? 'Light theme' : 'Dark theme';
}

function setUpTheme() {
  const saved = localStorage.getItem(THEME_KEY);
  if (saved === 'light' || saved === 'dark') root.dataset.theme = saved;
  const button = document.getElementById('theme-toggle');
  showThemeButton(button);
  button.addEventListener('click', () => {
    const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
    root.dataset.theme = next;
    localStorage.setItem(THEME_KEY, next);
    showThemeButton(button);
  });
}

function setUpMenu() {
  const button = document.getElementById('nav-toggle');
  button.addEventListener('click', () => {
    const open = document.body.classList.toggle('nav-open');
    button.setAttribute('aria-expanded', String(open));
    if (open) document.querySelector('#sidebar a')?.focus();
  });
}

setUpTheme();
setUpMenu();
