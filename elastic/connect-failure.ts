// Why the product could not use ELASTICSEARCH_URL at start-up, in one line for the person
// starting it: what went wrong and which variable to set. Never a secret: credentials are named,
// not shown, and the server's answer is only quoted where it cannot hold one (a 403's reason).
//
//   throw new Error(`cannot open the Elasticsearch store at ${safeOrigin(url)}: ${describeConnectFailure(error, config)}`);

import { errors } from '@elastic/elasticsearch';
import { TrustError } from './tls-trust.ts';

export type AuthConfig = {
  ELASTICSEARCH_API_KEY?: string | undefined;
  ELASTICSEARCH_USERNAME?: string | undefined;
};

export function describeConnectFailure(error: unknown, config: AuthConfig): string {
  if (error instanceof TrustError) return error.message;
  if (error instanceof errors.ResponseError && error.statusCode === 401) {
    if (config.ELASTICSEARCH_API_KEY) return 'the server refused ELASTICSEARCH_API_KEY (401): set a valid, unexpired API key';
    if (config.ELASTICSEARCH_USERNAME) {
      return 'the server refused ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD (401): check the user name and password';
    }
    return 'the server requires authentication (401): set ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD';
  }
  if (error instanceof errors.ResponseError && error.statusCode === 403) {
    return `these credentials lack a privilege (403: ${oneLine(error.message)}): grant the role README's Elasticsearch section lists`;
  }
  return oneLine(error instanceof Error ? error.message : String(error));
}

/** The URL's scheme, host and port: never a user name or password written into it. */
export function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(an invalid URL)';
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
