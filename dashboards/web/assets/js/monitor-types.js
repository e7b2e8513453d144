// What differs per monitor type in the pages: which form fields apply (elements marked
// data-types="http tcp"), how the target and the rules read, and which timings a check has.

/**
 * Shows the fields of `type` and hides the others; hidden inputs are disabled, so they are
 * neither validated nor sent.
 * @param {HTMLFormElement} form @param {string} type
 */
export function showFieldsFor(form, type) {
  for (const node of form.querySelectorAll('[data-types]')) {
    const shown = (node.getAttribute('data-types') ?? '').split(' ').includes(type);
    node.classList.toggle('hidden', !shown);
    for (const input of node.matches('input, select, textarea') ? [node] : node.querySelectorAll('input, select, textarea')) {
      /** @type {HTMLInputElement} */ (input).disabled = !shown;
    }
  }
}

/** The target in one line: "POST https://…", "tls://db:5432", "example.com MX @ 1.1.1.1". @param {any} m */
export function targetText(m) {
  if (m.type === 'tcp') return m.url;
  if (m.type === 'push') return 'heartbeat: a job calls its push URL';
  if (m.type === 'dns') return `${m.dns.name} ${m.dns.record_type} @ ${m.dns.resolver ?? 'system resolvers'}`;
  return `${m.method} ${m.url}`;
}

/** What makes the monitor up, in words. @param {any} m */
export function rulesText(m) {
  if (m.type === 'push') return `a push every ${m.interval_seconds} s, ${m.grace_seconds} s grace`;
  if (m.type === 'tcp') return m.url.startsWith('tls:') ? 'connects and completes a TLS handshake with a trusted certificate' : 'accepts a connection';
  if (m.type === 'dns') return m.dns.expect ? `answers with “${m.dns.expect}”` : 'answers';
  const parts = [`expects ${m.expect_status}`];
  if (m.keyword) parts.push(m.keyword_absent ? `without “${m.keyword}”` : `and “${m.keyword}”`);
  if (m.json_assertions.length > 0) parts.push(`${m.json_assertions.length} JSON assertion${m.json_assertions.length > 1 ? 's' : ''}`);
  if (m.max_response_ms !== null) parts.push(`under ${m.max_response_ms} ms`);
  return parts.join(' ');
}

/** The two timings drawn per raw check, per type: [label, field of the check]. */
export const RAW_LINES = {
  http: [['Total', 'http.rtt.total.us'], ['First byte', 'http.rtt.response_header.us']],
  tcp: [['Connect', 'tcp.rtt.connect.us'], ['TLS handshake', 'tls.rtt.handshake.us']],
  dns: [['Answer', 'resolve.rtt.us'], ['Whole probe', 'monitor.duration.us']],
};

/** json_assertions as lines "path op value" (value as JSON). @param {Array<{path: string, op: string, value: unknown}>} rules */
export function assertionsText(rules) {
  return rules.map((r) => (r.op === 'exists' ? `${r.path} exists` : `${r.path} ${r.op} ${JSON.stringify(r.value)}`)).join('\n');
}

/**
 * Reads "path op value" lines; a value that is not JSON is taken as text.
 * @param {string} text @returns {{rules: Array<{path: string, op: string, value: unknown}>} | {line: number}}
 */
export function parseAssertions(text) {
  const rules = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const match = /^(\S+)\s+(==|!=|<=|>=|<|>|contains|exists)(?:\s+(.*))?$/.exec(line);
    if (!match) return { line: i + 1 };
    const [, path, op, raw = ''] = match;
    let value = null;
    if (op !== 'exists') {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
    rules.push({ path, op, value });
  }
  return { rules };
}
