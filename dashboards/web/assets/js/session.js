// The signed-in header shared by the dashboard and monitor pages: who is logged in, log out, and a
// link to the public status page when the user has one.

import { api, getToken, goToLogin, setToken } from './api.js';
import { byId } from './dom.js';

/** Redirects to the login page when there is no token; returns false then. */
export function requireSession() {
  if (getToken()) return true;
  goToLogin();
  return false;
}

/** @param {string | null} slug */
export function showStatusLink(slug) {
  const link = /** @type {HTMLAnchorElement} */ (byId('status-link'));
  link.classList.toggle('hidden', !slug);
  if (slug) link.href = '/status/' + encodeURIComponent(slug);
}

/** Fills the header; returns the status page settings for pages that show them. */
export async function initHeader() {
  byId('logout').addEventListener('click', () => {
    setToken(null);
    location.assign('/login');
  });
  const [me, page] = await Promise.all([api('/auth/me'), api('/api/status-page')]);
  byId('whoami').textContent = me.email;
  showStatusLink(page.slug);
  return page;
}
