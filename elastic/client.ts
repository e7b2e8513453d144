// The Elasticsearch client, configured once from the environment's ELASTICSEARCH_* values: auth
// (API key or user/password) and TLS trust (CA file or CA fingerprint). Used by the store, the
// setup script and the benchmarks.
//
//   const client = await clientFromConfig({ ELASTICSEARCH_URL: 'https://es:9200', ELASTICSEARCH_CA_FILE: 'ca.crt' });

import { readFile } from 'node:fs/promises';
import { Client } from '@elastic/elasticsearch';

export type EsConfig = {
  ELASTICSEARCH_URL: string;
  ELASTICSEARCH_API_KEY?: string | undefined;
  ELASTICSEARCH_USERNAME?: string | undefined;
  ELASTICSEARCH_PASSWORD?: string | undefined;
  ELASTICSEARCH_CA_FILE?: string | undefined;
  ELASTICSEARCH_CA_FINGERPRINT?: string | undefined;
};

/** Every request has a deadline; bulk and search callers may pass a shorter one. */
export const REQUEST_TIMEOUT_MS = 30_000;

export async function clientFromConfig(config: EsConfig): Promise<Client> {
  const auth = config.ELASTICSEARCH_API_KEY
    ? { apiKey: config.ELASTICSEARCH_API_KEY }
    : config.ELASTICSEARCH_USERNAME
      ? { username: config.ELASTICSEARCH_USERNAME, password: config.ELASTICSEARCH_PASSWORD ?? '' }
      : undefined;
  const ca = config.ELASTICSEARCH_CA_FILE ? await readFile(config.ELASTICSEARCH_CA_FILE, 'utf8') : undefined;
  return new Client({
    node: config.ELASTICSEARCH_URL,
    ...(auth ? { auth } : {}),
    ...(ca ? { tls: { ca } } : {}),
    ...(config.ELASTICSEARCH_CA_FINGERPRINT ? { caFingerprint: config.ELASTICSEARCH_CA_FINGERPRINT } : {}),
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Connection failures are retried by the client (with its own backoff); one node here.
    maxRetries: 3,
  });
}
