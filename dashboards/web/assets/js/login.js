// Login and sign-up. Sign-up logs straight in; both land on the page the user came from.

import { api, describeError, setToken } from './api.js';
import { byId } from './dom.js';

/** Only same-site paths, so the `next` parameter cannot send anyone elsewhere. */
function nextPath() {
  const next = new URLSearchParams(location.search).get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

/** @param {'login' | 'signup'} which */
function showTab(which) {
  for (const name of ['login', 'signup']) {
    byId(`tab-${name}`).setAttribute('aria-selected', String(name === which));
    byId(`${name}-form`).classList.toggle('hidden', name !== which);
  }
}

/** @param {string} email @param {string} password */
async function logIn(email, password) {
  const token = await api('/auth/token', { method: 'POST', body: { email, password }, auth: false });
  setToken(token.access_token);
  location.assign(nextPath());
}

/**
 * @param {HTMLFormElement} form
 * @param {(email: string, password: string) => Promise<void>} action
 */
function wire(form, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const error = /** @type {HTMLElement} */ (form.querySelector('.error'));
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
    error.textContent = '';
    button.disabled = true;
    try {
      await action(String(data.get('email')).trim(), String(data.get('password')));
    } catch (e) {
      error.textContent = describeError(e);
    } finally {
      button.disabled = false;
    }
  });
}

byId('tab-login').addEventListener('click', () => showTab('login'));
byId('tab-signup').addEventListener('click', () => showTab('signup'));
wire(/** @type {HTMLFormElement} */ (byId('login-form')), logIn);
wire(/** @type {HTMLFormElement} */ (byId('signup-form')), async (email, password) => {
  await api('/auth/signup', { method: 'POST', body: { email, password }, auth: false });
  await logIn(email, password);
});
if (location.hash === '#signup') showTab('signup');
