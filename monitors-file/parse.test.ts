// A bad MONITORS_FILE is refused whole, each problem named by file, line and field.

import { describe, expect, it } from 'vitest';
import { MonitorsFileError, parseMonitorsFile, type MonitorsFileOptions } from './parse.ts';

const options: MonitorsFileOptions = {
  minIntervalSeconds: 20,
  defaultIntervalSeconds: 60,
  allowPrivateTargets: false,
  channels: new Set(['email', 'webhook']),
};

const GOOD = `owner: ops@example.com
monitors:
  - name: Shop
    url: https://shop.example.com/health
    interval_seconds: 30
    contacts:
      - type: email
        address: ops@example.com
  - name: Blog
    url: https://blog.example.com/
maintenance:
  - name: Nightly
    monitors: [Shop]
    repeat: { every: day, from: "02:00", to: "02:30", tz: Europe/Paris }
`;

/** GOOD (or `base`) with line `line` (1-based) replaced by `text`. */
const withLine = (line: number, text: string, base = GOOD) =>
  base.split('\n')
    .map((l, i) => (i === line - 1 ? text : l))
    .join('\n');

function refusal(text: string): string {
  try {
    parseMonitorsFile(text, 'monitors.yaml', options);
  } catch (error) {
    expect(error).toBeInstanceOf(MonitorsFileError);
    return (error as Error).message;
  }
  throw new Error('the file was accepted');
}

describe('parseMonitorsFile', () => {
  it('reads what a good file declares, defaults filled by the API schema', () => {
    const parsed = parseMonitorsFile(GOOD, 'monitors.yaml', options);
    expect(parsed.owner).toBe('ops@example.com');
    expect(parsed.lines).toEqual({ owner: 1, maintenance: 11 });
    expect(parsed.monitors.map((m) => [m.input.name, m.input.interval_seconds, m.input.timeout_ms, m.input.expect_status])).toEqual([
      ['Shop', 30, 10_000, '200-399'],
      ['Blog', 60, 10_000, '200-399'],
    ]);
    expect(parsed.monitors[0]?.contacts).toEqual([{ type: 'email', address: 'ops@example.com' }]);
    expect(parsed.windows).toEqual([
      { body: { name: 'Nightly', repeat: { every: 'day', from: '02:00', to: '02:30', tz: 'Europe/Paris' } }, monitorNames: ['Shop'] },
    ]);
  });

  it.each([
    ['a field out of range', withLine(5, '    interval_seconds: 5'), 'monitors.yaml:5: monitors.0.interval_seconds: must be at least 20 seconds'],
    ['a field of the wrong type', withLine(5, '    interval_seconds: often'), 'monitors.yaml:5: monitors.0.interval_seconds: must be a number'],
    ['an unknown field', withLine(5, '    intervall_seconds: 30'), 'monitors.yaml:5: monitors.0.intervall_seconds: unknown field'],
    ['a missing url (the line of its monitor)', withLine(10, '    paused: true'), 'monitors.yaml:9: monitors.1.url: is required'],
    ['a name used twice', withLine(9, '  - name: Shop'), 'monitors.yaml:9: monitors.1.name: "Shop" is already the name of monitors.0'],
    ['a contact address of the wrong kind', withLine(8, '        address: not-an-email'), 'monitors.yaml:8: monitors.0.contacts.0.address: must be an email address'],
    ['a channel this server lacks', withLine(8, '        address: https://ntfy.sh/alerts', withLine(7, '      - type: ntfy')), 'monitors.yaml:7: monitors.0.contacts.0.type: channel ntfy is not configured'],
    ['a private target', withLine(4, '    url: http://127.0.0.1:8080/'), 'monitors.yaml:4: monitors.0.url:'],
    ['a window naming a monitor the file lacks', withLine(13, '    monitors: [Shop, Wiki]'), 'monitors.yaml:13: maintenance.0.monitors.1: no monitor named "Wiki" in this file'],
    ['a window with neither monitors nor all', withLine(13, '    all: false'), 'monitors.yaml:13: maintenance.0.all: must be true'],
    ['a window with a bad time', withLine(14, '    repeat: { every: day, from: "25:00", to: "02:30", tz: Europe/Paris }'), 'monitors.yaml:14: maintenance.0.repeat.from: must be a time of day HH:MM'],
    ['an unknown top-level field', `${GOOD}extra: 1\n`, 'monitors.yaml:15: extra: unknown field'],
    // A field that is missing is found on the first line of the mapping that lacks it.
    ['no owner', withLine(1, '# no owner'), 'monitors.yaml:2: owner: is required'],
    ['broken YAML', withLine(5, '    interval_seconds: [30'), 'monitors.yaml:6: not valid YAML:'],
    ['a key given twice', withLine(5, '    name: Shop again'), 'monitors.yaml:5: not valid YAML: Map keys must be unique'],
    ['aliases that expand without bound', `${GOOD}x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n${Array.from({ length: 120 }, (_, i) => `y${i}: [*a, *a, *a]`).join('\n')}\n`, 'monitors.yaml: not valid YAML:'],
  ])('refuses %s, naming file, line and field', (_, text, expected) => {
    expect(refusal(text)).toContain(expected);
  });

  it('names every problem, one line each', () => {
    const text = withLine(5, '    interval_seconds: 5').replace('https://blog.example.com/', 'ftp://blog.example.com/');
    const lines = refusal(text).split('\n');
    expect(lines[0]).toBe('monitors.yaml refused, nothing applied:');
    expect(lines.slice(1)).toEqual([
      'monitors.yaml:5: monitors.0.interval_seconds: must be at least 20 seconds (this server\'s MIN_INTERVAL_SECONDS)',
      'monitors.yaml:10: monitors.1.url: must use http or https, not ftp',
    ]);
  });
});
