// Test support: a real pino logger whose entries are kept, parsed, for assertions on log lines.

import pino, { type Logger } from 'pino';

export type LogEntry = { level: number; msg: string } & Record<string, unknown>;

export function capturingLog(): { log: Logger; entries: LogEntry[]; messages(level?: number): string[] } {
  const entries: LogEntry[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void entries.push(JSON.parse(line) as LogEntry) });
  return { log, entries, messages: (level = 0) => entries.filter((e) => e.level >= level).map((e) => e.msg) };
}
