// Configuration at the edge: the Elasticsearch connection variables (fingerprints in the forms
// users copy, the combinations refused with one line before anything connects), the spool bound
// and the number of probe threads.

import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPOOL_MAX_BYTES } from './collector/config.ts';
import { ConfigError, loadConfig } from './config.ts';

const HEX = 'ef803ce90ac0b6ff12c48b148f80dc8a78f9a5593845be703a6ce62e36a9690b';
const COLONS = HEX.toUpperCase().match(/../g)!.join(':');
const https = { STORE: 'sqlite', ELASTICSEARCH_URL: 'https://es.example.net:9200' };

describe('ELASTICSEARCH_CA_FINGERPRINT', () => {
  it.each([
    ['plain lowercase hex, as Elasticsearch prints it', HEX],
    ['colon pairs, as openssl prints them', COLONS],
    ["openssl's whole line", `sha256 Fingerprint=${COLONS}`],
    ['with surrounding spaces', `  ${COLONS} `],
  ])('accepts %s', (_form, value) => {
    expect(loadConfig({ ...https, ELASTICSEARCH_CA_FINGERPRINT: value }).ELASTICSEARCH_CA_FINGERPRINT).toBe(HEX);
  });

  it.each([
    ['a SHA-1 fingerprint', HEX.slice(0, 40), /this is a SHA-1 fingerprint; expected the SHA-256 one/],
    ['too few digits', COLONS.slice(0, 20), /expected a SHA-256 fingerprint: 64 hex digits, plain or in pairs separated by colons/],
    ['a trailing colon', `${COLONS}:`, /expected a SHA-256 fingerprint/],
    ['a non-hex digit', `${HEX.slice(0, 63)}g`, /expected a SHA-256 fingerprint/],
  ])('refuses %s with one line naming the variable', (_what, value, message) => {
    expect(() => loadConfig({ ...https, ELASTICSEARCH_CA_FINGERPRINT: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...https, ELASTICSEARCH_CA_FINGERPRINT: value })).toThrow(/^invalid ELASTICSEARCH_CA_FINGERPRINT=".*": /);
    expect(() => loadConfig({ ...https, ELASTICSEARCH_CA_FINGERPRINT: value })).toThrow(message);
  });
});

describe('Elasticsearch credentials and trust together', () => {
  it.each([
    [
      'an API key and a user name',
      { ELASTICSEARCH_API_KEY: 'k', ELASTICSEARCH_USERNAME: 'u', ELASTICSEARCH_PASSWORD: 'p' },
      'conflicting ELASTICSEARCH_API_KEY and ELASTICSEARCH_USERNAME: set one way to authenticate, not both',
    ],
    ['a password without a user name', { ELASTICSEARCH_PASSWORD: 'p' }, 'missing ELASTICSEARCH_USERNAME: required with ELASTICSEARCH_PASSWORD'],
    ['a user name without a password', { ELASTICSEARCH_USERNAME: 'u' }, 'missing ELASTICSEARCH_PASSWORD: required with ELASTICSEARCH_USERNAME'],
    [
      'a CA file and a fingerprint',
      { ELASTICSEARCH_CA_FILE: '/ca.crt', ELASTICSEARCH_CA_FINGERPRINT: HEX },
      'conflicting ELASTICSEARCH_CA_FILE and ELASTICSEARCH_CA_FINGERPRINT: set one way to trust the CA, not both',
    ],
    [
      'a CA file with an http URL',
      { ELASTICSEARCH_URL: 'http://es:9200', ELASTICSEARCH_CA_FILE: '/ca.crt' },
      'invalid ELASTICSEARCH_URL="http://es:9200": ELASTICSEARCH_CA_FILE is set, so expected https://',
    ],
    [
      'a fingerprint with an http URL',
      { ELASTICSEARCH_URL: 'http://es:9200', ELASTICSEARCH_CA_FINGERPRINT: HEX },
      'invalid ELASTICSEARCH_URL="http://es:9200": ELASTICSEARCH_CA_FINGERPRINT is set, so expected https://',
    ],
  ])('refuses %s', (_what, env, line) => {
    expect(() => loadConfig({ ...https, ...env })).toThrow(new ConfigError(line));
  });

  it('refuses credentials inside the URL without echoing them', () => {
    const attempt = () => loadConfig({ ...https, ELASTICSEARCH_URL: 'https://elastic:hunter2secret@es.example.net:9200' });
    expect(attempt).toThrow(
      'invalid ELASTICSEARCH_URL="https://***@es.example.net:9200/": expected no credentials in the URL: set ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD',
    );
    expect(attempt).not.toThrow(/hunter2secret|elastic:/);
  });
});

describe('SPOOL_MAX_BYTES', () => {
  it.each([
    ['1048576', 1024 ** 2],
    ['512MiB', 512 * 1024 ** 2],
    ['2GiB', 2 * 1024 ** 3],
    ['1TiB', 1024 ** 4],
  ])('reads %s as %d bytes', (value, bytes) => {
    expect(loadConfig({ SPOOL_MAX_BYTES: value }).SPOOL_MAX_BYTES).toBe(bytes);
  });

  it('defaults to 1 GiB', () => {
    expect(loadConfig({}).SPOOL_MAX_BYTES).toBe(DEFAULT_SPOOL_MAX_BYTES);
    expect(DEFAULT_SPOOL_MAX_BYTES).toBe(1024 ** 3);
  });

  it.each([
    ['2GB', 'invalid SPOOL_MAX_BYTES="2GB": expected a whole number of bytes, optionally followed by KiB, MiB, GiB or TiB (e.g. 2GiB)'],
    ['1.5GiB', 'invalid SPOOL_MAX_BYTES="1.5GiB": expected a whole number of bytes, optionally followed by KiB, MiB, GiB or TiB (e.g. 2GiB)'],
    ['1000', 'invalid SPOOL_MAX_BYTES="1000": expected at least 1MiB'],
  ])('refuses %s with one line naming it', (value, line) => {
    expect(() => loadConfig({ SPOOL_MAX_BYTES: value })).toThrow(ConfigError);
    expect(() => loadConfig({ SPOOL_MAX_BYTES: value })).toThrow(line);
  });
});

describe('PROBE_THREADS', () => {
  it('defaults to one thread per core but one, from 1 to 4', () => {
    const threads = loadConfig({}).PROBE_THREADS;
    expect(threads).toBe(Math.min(4, Math.max(1, availableParallelism() - 1)));
    expect(loadConfig({ PROBE_THREADS: '0' }).PROBE_THREADS).toBe(0);
    expect(loadConfig({ PROBE_THREADS: '3' }).PROBE_THREADS).toBe(3);
  });

  it.each(['-1', 'two', '1.5', '65'])('refuses %s with one line naming it', (value) => {
    expect(() => loadConfig({ PROBE_THREADS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ PROBE_THREADS: value })).toThrow(new RegExp(`^invalid PROBE_THREADS="${value.replace('.', '\\.')}": `));
  });
});

describe('TWILIO_ACCOUNT_SID', () => {
  it('refuses a value the twilio library would refuse when the SMS channel is built', () => {
    const twilio = { TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+15550001111' };
    expect(() => loadConfig({ ...twilio, TWILIO_ACCOUNT_SID: 'SK123' })).toThrow('invalid TWILIO_ACCOUNT_SID="SK123": expected a Twilio account SID (AC…)');
    expect(loadConfig({ ...twilio, TWILIO_ACCOUNT_SID: 'AC123' }).TWILIO_ACCOUNT_SID).toBe('AC123');
  });
});
