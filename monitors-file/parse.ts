// Reads a MONITORS_FILE into what it declares, or refuses it whole with one line per problem,
// each naming the file, the line and the field ("monitors.yaml:12: monitors.1.interval_seconds:
// must be at least 20 seconds"). Each monitor, contact and window is validated by the API's own
// schemas (api/*/schemas.ts), so a field the API gains is a field the file gains. Checks the
// server's settings make (target policy, configured channels) are made here too, before anything
// is written. The owner must exist; that is the applier's check (apply.ts), since it needs the store.
//
//   owner: ops@example.com
//   monitors:
//     - name: Shop
//       url: https://shop.example.com/health
//       interval_seconds: 30
//       contacts:
//         - { type: email, address: ops@example.com }
//   maintenance:
//     - { name: Nightly backup, monitors: [Shop], repeat: { every: day, from: "02:00", to: "02:30", tz: Europe/Paris } }

import { isDeepStrictEqual } from 'node:util';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ContactCreate, URL_CONTACT_TYPES } from '../api/contacts/schemas.ts';
import { MAX_CONTACTS_PER_MONITOR } from '../api/contacts/routes.ts';
import { MAX_WINDOWS_PER_OWNER } from '../api/maintenance/routes.ts';
import { MaintenanceCreate } from '../api/maintenance/schemas.ts';
import { monitorSchemas, type IntervalLimits } from '../api/monitors/schemas.ts';
import { monitorTargetProblem } from '../api/target-policy.ts';
import { checkTargetUrl } from '../net/address-guard.ts';
import type { ContactType } from '../store/types.ts';

/** Far above any real file; bounds what one read holds in memory. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;
/** Per file; created in bulk lots of the API's size. */
export const MAX_FILE_MONITORS = 10_000;
/** At most this many problems are reported: the first ones are the ones to fix. */
const MAX_PROBLEMS = 20;

export type MonitorsFileOptions = IntervalLimits & {
  allowPrivateTargets: boolean;
  /** Channels this server delivers on; a contact of another type is refused. */
  channels: ReadonlySet<ContactType>;
};

type MonitorCreate = z.output<ReturnType<typeof monitorSchemas>['create']>;
type MaintenanceBody = z.output<typeof MaintenanceCreate>;

export type DeclaredContact = { type: ContactType; address: string };
export type DeclaredMonitor = { input: MonitorCreate; contacts: DeclaredContact[] };
/** A window as the API takes it, with monitor names where the API has ids (null: all monitors). */
export type DeclaredWindow = { body: Omit<MaintenanceBody, 'monitor_ids'>; monitorNames: string[] | null };
export type MonitorsFile = {
  owner: string;
  monitors: DeclaredMonitor[];
  windows: DeclaredWindow[];
  /** For the problems only the store can tell (apply.ts). */
  lines: { owner: number; maintenance: number };
};

/** `line` is 1-based; null when the problem is the file itself (unreadable, its owner unknown). */
export type FileProblem = { line: number | null; field: string; message: string };

/** The file is refused; `message` has one line per problem, each "file:line: field: why". */
export class MonitorsFileError extends Error {
  override name = 'MonitorsFileError';
  readonly problems: FileProblem[];
  constructor(file: string, problems: FileProblem[]) {
    super(
      `${file} refused, nothing applied:\n` +
        problems.map((p) => `${file}${p.line === null ? '' : `:${p.line}`}: ${p.field ? `${p.field}: ` : ''}${p.message}`).join('\n'),
    );
    this.problems = problems;
  }
}

type Path = (string | number)[];

export function parseMonitorsFile(text: string, file: string, options: MonitorsFileOptions): MonitorsFile {
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) {
    throw new MonitorsFileError(file, [{ line: null, field: '', message: `is larger than ${MAX_FILE_BYTES} bytes` }]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new MonitorsFileError(
      file,
      doc.errors.slice(0, MAX_PROBLEMS).map((e) => ({ line: lines.linePos(e.pos[0]).line, field: '', message: `not valid YAML: ${e.message.split('\n')[0]}` })),
    );
  }
  const problems: FileProblem[] = [];
  const report = (path: Path, message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ line: lineOf(doc, lines, path), field: path.join('.'), message });
  };
  const reportIssues = (base: Path, issues: readonly z.core.$ZodIssue[], rename: (path: Path) => Path = (p) => p) => {
    for (const issue of issues) {
      const path = rename([...base, ...(issue.path as Path)]);
      if (issue.code === 'unrecognized_keys') for (const key of issue.keys) report([...path, key], 'unknown field');
      else report(path, issue.message.endsWith('received undefined') ? 'is required' : issue.message);
    }
  };

  let root: unknown;
  try {
    // Bounded: a few aliases must not expand into gigabytes (a "billion laughs" file).
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new MonitorsFileError(file, [{ line: null, field: '', message: `not valid YAML: ${(error as Error).message}` }]);
  }
  if (!isRecord(root)) throw new MonitorsFileError(file, [{ line: 1, field: '', message: 'must be a mapping with owner, monitors and maintenance' }]);
  for (const key of Object.keys(root)) {
    if (!['owner', 'monitors', 'maintenance'].includes(key)) report([key], 'unknown field (expected owner, monitors, maintenance)');
  }
  const owner = typeof root.owner === 'string' ? root.owner.trim() : '';
  if (root.owner === undefined) report(['owner'], 'is required: the email of the user whose monitors these are');
  else if (!owner) report(['owner'], 'must be the email of the user whose monitors these are');

  const monitorEntries = listAt(root, 'monitors', report);
  const monitors = parseMonitors(monitorEntries, options, report, reportIssues);
  // Every name given, valid entry or not: a window naming a refused monitor is not a second problem.
  const named = new Set(monitorEntries.flatMap((entry) => (isRecord(entry) && typeof entry.name === 'string' ? [entry.name.trim()] : [])));
  const windows = parseWindows(listAt(root, 'maintenance', report), named, report, reportIssues);
  if (problems.length > 0) throw new MonitorsFileError(file, problems);
  return { owner, monitors, windows, lines: { owner: lineOf(doc, lines, ['owner']), maintenance: lineOf(doc, lines, ['maintenance']) } };
}

type Report = (path: Path, message: string) => void;
type ReportIssues = (base: Path, issues: readonly z.core.$ZodIssue[], rename?: (path: Path) => Path) => void;

function parseMonitors(entries: unknown[], options: MonitorsFileOptions, report: Report, reportIssues: ReportIssues): DeclaredMonitor[] {
  if (entries.length > MAX_FILE_MONITORS) report(['monitors'], `must list at most ${MAX_FILE_MONITORS} monitors`);
  const { create } = monitorSchemas(options);
  const firstByName = new Map<string, number>();
  const declared: DeclaredMonitor[] = [];
  entries.slice(0, MAX_FILE_MONITORS).forEach((entry, i) => {
    if (!isRecord(entry)) return report(['monitors', i], 'must be a mapping with name, url and the other monitor fields');
    const { contacts: rawContacts, ...fields } = entry;
    const parsed = create.safeParse(fields);
    if (!parsed.success) return reportIssues(['monitors', i], parsed.error.issues);
    const input = parsed.data;
    const first = firstByName.get(input.name);
    // Names are how the file knows its monitors from one apply to the next.
    if (first !== undefined) return report(['monitors', i, 'name'], `${JSON.stringify(input.name)} is already the name of monitors.${first}: names must be unique in the file`);
    firstByName.set(input.name, i);
    // The API's own rule: each type's schemes, and a dns monitor's resolver.
    const refused = monitorTargetProblem(input, options.allowPrivateTargets);
    if (refused) report(['monitors', i, ...refused.path.split('.')], refused.message);
    const contacts = parseContacts(rawContacts, ['monitors', i, 'contacts'], options, report, reportIssues);
    declared.push({ input, contacts });
  });
  return declared;
}

function parseContacts(raw: unknown, at: Path, options: MonitorsFileOptions, report: Report, reportIssues: ReportIssues): DeclaredContact[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    report(at, 'must be a list of {type, address}');
    return [];
  }
  if (raw.length > MAX_CONTACTS_PER_MONITOR) report(at, `must list at most ${MAX_CONTACTS_PER_MONITOR} contacts`);
  const contacts: DeclaredContact[] = [];
  raw.forEach((entry: unknown, j) => {
    const parsed = ContactCreate.safeParse(entry);
    if (!parsed.success) return reportIssues([...at, j], parsed.error.issues);
    const contact = parsed.data;
    if (!options.channels.has(contact.type)) return report([...at, j, 'type'], `channel ${contact.type} is not configured on this server`);
    if (URL_CONTACT_TYPES.has(contact.type)) {
      const target = checkTargetUrl(contact.address, { allowPrivate: options.allowPrivateTargets });
      if (!target.ok) return report([...at, j, 'address'], target.reason);
    }
    if (contacts.some((c) => isDeepStrictEqual(c, contact))) return report([...at, j], 'is listed twice');
    contacts.push({ type: contact.type, address: contact.address });
  });
  return contacts;
}

function parseWindows(entries: unknown[], monitorNames: ReadonlySet<string>, report: Report, reportIssues: ReportIssues): DeclaredWindow[] {
  if (entries.length > MAX_WINDOWS_PER_OWNER) report(['maintenance'], `must list at most ${MAX_WINDOWS_PER_OWNER} windows`);
  const names = new Set<string>();
  const declared: DeclaredWindow[] = [];
  entries.slice(0, MAX_WINDOWS_PER_OWNER).forEach((entry, i) => {
    if (!isRecord(entry)) return report(['maintenance', i], 'must be a mapping with name, monitors or all, and start and end or repeat');
    const { monitors, monitor_ids, ...rest } = entry;
    if (monitor_ids !== undefined) return report(['maintenance', i, 'monitor_ids'], 'unknown field: name the monitors of this file in monitors');
    // The API's schema names the list monitor_ids; here it holds names, and its errors say monitors.
    const parsed = MaintenanceCreate.safeParse(monitors === undefined ? rest : { ...rest, monitor_ids: monitors });
    const rename = (path: Path) => path.map((part, k) => (k === 2 && part === 'monitor_ids' ? 'monitors' : part));
    if (!parsed.success) return reportIssues(['maintenance', i], parsed.error.issues, rename);
    const { monitor_ids: listed, ...body } = parsed.data;
    if (names.has(body.name)) return report(['maintenance', i, 'name'], `${JSON.stringify(body.name)} names another window too: names must be unique in the file`);
    names.add(body.name);
    const unknown = (listed ?? []).findIndex((name) => !monitorNames.has(name));
    if (unknown >= 0) return report(['maintenance', i, 'monitors', unknown], `no monitor named ${JSON.stringify(listed![unknown])} in this file`);
    declared.push({ body, monitorNames: body.all ? null : (listed ?? []) });
  });
  return declared;
}

function listAt(root: Record<string, unknown>, key: string, report: Report): unknown[] {
  const value = root[key];
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  report([key], 'must be a list');
  return [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The line of the node at `path`, or of the nearest ancestor present (a missing field: its mapping). */
function lineOf(doc: Document, lines: LineCounter, path: Path): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const part of path) {
    let next: unknown;
    let at: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(part));
      // The key's line is the field's: a block value (a list, a mapping) starts on the next one.
      at = (pair?.key as Node | null)?.range?.[0];
      next = pair?.value;
    } else if (isSeq(node) && typeof part === 'number') {
      next = node.items[part];
      at = (next as Node | undefined)?.range?.[0];
    }
    if (at === undefined) break;
    offset = at;
    node = next;
  }
  return lines.linePos(offset).line;
}
