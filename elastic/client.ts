// The Elasticsearch client, configured once from the environment's ELASTICSEARCH_* values: auth
// (API key or user/password) and TLS trust (CA file or CA fingerprint, settled by a handshake in
// tls-trust.ts before the client exists). Used by the store, the setup script and the benchmarks.
//
//   const client = await clientFromConfig({ ELASTICSEARCH_URL: 'https://es:9200', ELASTICSEARCH_CA_FILE: 'ca.crt' });

import { Client } from '@elastic/elasticsearch';
import { resolveTrust } from './tls-trust.ts';

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

/**
 * A client for ELASTICSEARCH_URL. With https, first one TLS handshake: throws TrustError
 * (tls-trust.ts) when the server's certificate is not trusted, or the network error.
 */
export async function clientFromConfig(config: EsConfig): Promise<Client> {
  const auth = config.ELASTICSEARCH_API_KEY
    ? { apiKey: config.ELASTICSEARCH_API_KEY }
    : config.ELASTICSEARCH_USERNAME
      ? { username: config.ELASTICSEARCH_USERNAME, password: config.ELASTICSEARCH_PASSWORD ?? '' }
      : undefined;
  const ca = await resolveTrust(new URL(config.ELASTICSEARCH_URL), config);
  return new Client({
    node: config.ELASTICSEARCH_URL,
    ...(auth ? { auth } : {}),
    ...(ca ? { tls: { ca } } : {}),
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Errors carry the request's metadata, headers included, and the roles log errors whole:
    // credentials in it become "[redacted]" (the client's default, stated so it stays).
    redaction: { type: 'replace' },
    // Connection failures are retried by the client (with its own backoff); one node here.
    maxRetries: 3,
  });
}
