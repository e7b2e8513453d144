// Tiny DOM helpers. Text always goes in through textContent, so names and URLs typed by users can
// never become markup.

/**
 * @param {string} tag
 * @param {Record<string, string | boolean | number | null | undefined>} [attrs]
 * @param {Array<Node | string | null | undefined | false>} [children]
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else if (name === 'class') node.className = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** @param {string} id */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node;
}

const STATUS_TEXT = { up: '✓ Up', down: '✕ Down', unknown: '? No data', paused: 'Ⅱ Paused', maintenance: '⚒ Maintenance' };

/**
 * A status badge: colour, symbol and word, so it reads without colour.
 * @param {'up' | 'down' | 'unknown' | 'paused' | 'maintenance'} status
 */
export function badge(status) {
  const key = status in STATUS_TEXT ? status : 'unknown';
  return el('span', { class: `badge ${key}`, 'data-status': key, text: STATUS_TEXT[key] });
}

/**
 * Runs `task` now and every `ms`, skipping a tick while the previous run is still going, and
 * pausing while the tab is hidden.
 * @param {() => Promise<void>} task
 * @param {number} ms
 */
export function every(task, ms) {
  let running = false;
  const tick = async () => {
    if (running || document.hidden) return;
    running = true;
    try {
      await task();
    } catch (error) {
      console.error(error);
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(tick, ms);
  document.addEventListener('visibilitychange', () => void tick());
  return () => clearInterval(timer);
}

/**
 * Disables a form's controls while `task` runs, so that a second click cannot submit twice and
 * nothing typed during the request is wiped when the form resets afterwards.
 * @param {HTMLFormElement} form
 * @param {() => Promise<void>} task
 */
export async function whileBusy(form, task) {
  const controls = [...form.elements].filter((node) => 'disabled' in node && !node.disabled);
  for (const control of controls) /** @type {HTMLInputElement} */ (control).disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    await task();
  } finally {
    for (const control of controls) /** @type {HTMLInputElement} */ (control).disabled = false;
    form.removeAttribute('aria-busy');
  }
}
