// Configuration enters here, once. Every variable of DESIGN.md's table is parsed by one zod
// schema with its default; a bad value stops start-up with one line naming the variable, the value
// and what is expected. Nothing else in the code reads process.env.

import { availableParallelism, hostname } from 'node:os';
import { z } from 'zod';
import { DEFAULT_SPOOL_MAX_BYTES } from './collector/config.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`));

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `expected a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`);

const SIZE_UNITS = { '': 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 } as const;

/** A size in bytes: a whole number, optionally with a binary unit (512MiB, 2GiB). */
const size = (min: number, minText: string) =>
  z
    .string()
    .regex(/^\d+(KiB|MiB|GiB|TiB)?$/, 'expected a whole number of bytes, optionally followed by KiB, MiB, GiB or TiB (e.g. 2GiB)')
    .transform((v) => {
      const unit = v.replace(/^\d+/, '') as keyof typeof SIZE_UNITS;
      return Number(v.slice(0, v.length - unit.length)) * SIZE_UNITS[unit];
    })
    .pipe(z.number().min(min, `expected at least ${minText}`).max(2 ** 50, 'expected at most 1024TiB'));

const shard = z
  .string()
  .regex(/^\d+\/\d+$/, 'expected i/n, e.g. 0/1 or 2/3')
  .transform((v) => {
    const [index, count] = v.split('/').map(Number) as [number, number];
    return { index, count };
  })
  .refine((s) => s.count >= 1 && s.index < s.count, 'expected i/n with 0 <= i < n');

// A SHA-256 as users copy it: Elasticsearch prints plain hex at its first start, `openssl x509
// -fingerprint -sha256` prints "sha256 Fingerprint=AA:BB:…". Kept as 64 lowercase hex digits.
const fingerprint = z
  .string()
  .transform((v) => v.trim().replace(/^sha-?256 fingerprint=/i, ''))
  .superRefine((v, ctx) => {
    if (/^[0-9a-f]{64}$/i.test(v) || /^[0-9a-f]{2}(:[0-9a-f]{2}){31}$/i.test(v)) return;
    const sha1 = /^[0-9a-f]{40}$/i.test(v) || /^[0-9a-f]{2}(:[0-9a-f]{2}){19}$/i.test(v);
    ctx.addIssue({
      code: 'custom',
      message: sha1
        ? 'this is a SHA-1 fingerprint; expected the SHA-256 one (openssl x509 -fingerprint -sha256 -noout -in ca.crt)'
        : 'expected a SHA-256 fingerprint: 64 hex digits, plain or in pairs separated by colons (AA:BB:…)',
    });
  })
  .transform((v) => v.replaceAll(':', '').toLowerCase());

const schema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  STORE: z.enum(['sqlite', 'elasticsearch'], { error: 'expected sqlite or elasticsearch' }).optional(),
  ELASTICSEARCH_URL: url(['http:', 'https:'])
    .refine((v) => !URL.canParse(v) || (!new URL(v).username && !new URL(v).password), 'expected no credentials in the URL: set ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD')
    .optional(),
  ELASTICSEARCH_API_KEY: z.string().min(1).optional(),
  ELASTICSEARCH_USERNAME: z.string().min(1).optional(),
  ELASTICSEARCH_PASSWORD: z.string().min(1).optional(),
  ELASTICSEARCH_CA_FILE: z.string().min(1).optional(),
  ELASTICSEARCH_CA_FINGERPRINT: fingerprint.optional(),
  ELASTICSEARCH_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9_]{1,60}$/, 'expected lowercase letters, digits or _ (no dashes)')
    .default('default'),
  CHECKS_RETENTION_DAYS: int(1, 36500).default(400),
  JWT_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().min(3).optional(),
  // The twilio library refuses any other SID when the channel is built; say so at start-up instead.
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC/, 'expected a Twilio account SID (AC…)').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  TWILIO_FROM: z.string().min(1).optional(),
  /** Not in DESIGN's table: lets tests and air-gapped users point the Twilio client elsewhere. */
  TWILIO_API_URL: url(['http:', 'https:']).optional(),
  /** Not in DESIGN's table: PagerDuty's Events API elsewhere (an EU account, a proxy, a test double). */
  PAGERDUTY_API_URL: url(['http:', 'https:']).optional(),
  ALLOW_PRIVATE_TARGETS: bool.default(false),
  MIN_INTERVAL_SECONDS: int(1, 86400).default(20),
  DEFAULT_INTERVAL_SECONDS: int(1, 86400).default(60),
  OBSERVER_NAME: z.string().min(1).default(hostname()),
  COLLECTOR_SHARD: shard.default({ index: 0, count: 1 }),
  // Worker threads that probe; the process's own thread keeps the API, alerting and the store.
  // 0 probes in the main thread. Default: one per core but one, at least 1, at most 4.
  PROBE_THREADS: int(0, 64).default(defaultProbeThreads()),
  SPOOL_MAX_BYTES: size(1024 ** 2, '1MiB').default(DEFAULT_SPOOL_MAX_BYTES),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http:', 'https:']).optional(),
  /** YAML declaring one owner's monitors, contacts and maintenance windows (monitors-file/). */
  MONITORS_FILE: z.string().min(1).optional(),
});

export type Config = Omit<z.output<typeof schema>, 'STORE' | 'PUBLIC_URL'> & {
  STORE: 'sqlite' | 'elasticsearch';
  PUBLIC_URL: string;
};

/** One probe thread per core but the one the API, alerting and the store's writes share; 1 to 4. */
export function defaultProbeThreads(): number {
  return Math.min(4, Math.max(1, availableParallelism() - 1));
}

/** Variables whose values must never be echoed back, even in an error line. */
const SECRET = /PASSWORD|SECRET|TOKEN|API_KEY|SMTP_URL/;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws ConfigError with one line per problem (usually one). */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set", as in most shells' `VAR= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const value = SECRET.test(name) ? '(hidden)' : JSON.stringify(withoutCredentials(present[name]));
      return `invalid ${name}=${value}: ${issue.message}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const c = parsed.data;
  const store = c.STORE ?? (c.ELASTICSEARCH_URL ? 'elasticsearch' : 'sqlite');
  const problems: string[] = [];
  if (store === 'elasticsearch' && !c.ELASTICSEARCH_URL) {
    problems.push('invalid STORE=elasticsearch: ELASTICSEARCH_URL must be set');
  }
  if (store === 'elasticsearch' && !c.JWT_SECRET) {
    problems.push('missing JWT_SECRET: required with STORE=elasticsearch (instances must share it)');
  }
  if (c.DEFAULT_INTERVAL_SECONDS < c.MIN_INTERVAL_SECONDS) {
    problems.push(
      `invalid DEFAULT_INTERVAL_SECONDS=${c.DEFAULT_INTERVAL_SECONDS}: expected at least MIN_INTERVAL_SECONDS (${c.MIN_INTERVAL_SECONDS})`,
    );
  }
  if (c.ELASTICSEARCH_USERNAME && !c.ELASTICSEARCH_PASSWORD) {
    problems.push('missing ELASTICSEARCH_PASSWORD: required with ELASTICSEARCH_USERNAME');
  }
  if (c.ELASTICSEARCH_PASSWORD && !c.ELASTICSEARCH_USERNAME) {
    problems.push('missing ELASTICSEARCH_USERNAME: required with ELASTICSEARCH_PASSWORD');
  }
  if (c.ELASTICSEARCH_API_KEY && c.ELASTICSEARCH_USERNAME) {
    problems.push('conflicting ELASTICSEARCH_API_KEY and ELASTICSEARCH_USERNAME: set one way to authenticate, not both');
  }
  if (c.ELASTICSEARCH_CA_FILE && c.ELASTICSEARCH_CA_FINGERPRINT) {
    problems.push('conflicting ELASTICSEARCH_CA_FILE and ELASTICSEARCH_CA_FINGERPRINT: set one way to trust the CA, not both');
  }
  const trustVariable = c.ELASTICSEARCH_CA_FILE ? 'ELASTICSEARCH_CA_FILE' : c.ELASTICSEARCH_CA_FINGERPRINT ? 'ELASTICSEARCH_CA_FINGERPRINT' : null;
  if (trustVariable && c.ELASTICSEARCH_URL && new URL(c.ELASTICSEARCH_URL).protocol !== 'https:') {
    problems.push(`invalid ELASTICSEARCH_URL=${JSON.stringify(c.ELASTICSEARCH_URL)}: ${trustVariable} is set, so expected https://`);
  }
  const twilio = [c.TWILIO_ACCOUNT_SID, c.TWILIO_AUTH_TOKEN, c.TWILIO_FROM].filter(Boolean).length;
  if (twilio > 0 && twilio < 3) {
    problems.push('incomplete TWILIO_*: set all of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM, or none');
  }
  if (c.SMTP_URL && !c.MAIL_FROM) {
    problems.push('missing MAIL_FROM: required with SMTP_URL');
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  return { ...c, STORE: store, PUBLIC_URL: c.PUBLIC_URL ?? `http://${c.HOST}:${c.PORT}` };
}

/** A URL's user name and password masked, so that an error line never shows them. */
function withoutCredentials(value: string | undefined): string | undefined {
  try {
    const url = new URL(value ?? '');
    if (!url.username && !url.password) return value;
    url.username = '***';
    url.password = '';
    return url.href;
  } catch {
    return value;
  }
}
