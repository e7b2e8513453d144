// The search engine this test run has, chosen once by test/setup/elasticsearch.ts (ES_URL, the dev
// node, or a container), or null when there is none and its suites are to be skipped.
//
//   const url = elasticsearchUrl();
//   describe.skipIf(!url)('on a real node', () => { … new Client({ node: url! }) … });

import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    esUrl: string | null;
  }
}

export function elasticsearchUrl(): string | null {
  // inject() only works inside a vitest worker; ES_URL also reaches plain scripts and child processes.
  try {
    const provided = inject('esUrl');
    if (provided !== undefined) return provided;
  } catch {
    // not under vitest
  }
  return process.env.ES_URL || null;
}
