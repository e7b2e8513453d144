// What the search engine behind ELASTICSEARCH_URL can do, read once from `GET /`. Production runs
// Elasticsearch 8.x/9.x; development and CI run OpenSearch 2.19 (see elastic/dev-node/). Every
// behaviour that differs between them is decided here and nowhere else:
//
//   lifecycle     data stream lifecycle (retention in the template): Elasticsearch >= 8.11 only;
//                 elsewhere the product deletes old checks itself (elastic/store/retention.ts)
//
// Paging never uses a point in time (OpenSearch has its own, different API): search_after on a
// unique sort key works on both.

import type { Client } from '@elastic/elasticsearch';

export type Engine = {
  distribution: 'elasticsearch' | 'opensearch';
  version: string;
  /** Data stream lifecycle (`lifecycle` in templates, `_lifecycle` APIs). */
  lifecycle: boolean;
};

export function engineFromInfo(info: { version: { number: string; distribution?: string } }): Engine {
  const distribution = info.version.distribution === 'opensearch' ? 'opensearch' : 'elasticsearch';
  const [major = 0, minor = 0] = info.version.number.split('.').map(Number);
  return {
    distribution,
    version: info.version.number,
    lifecycle: distribution === 'elasticsearch' && (major > 8 || (major === 8 && minor >= 11)),
  };
}

export async function detectEngine(client: Client): Promise<Engine> {
  const info = await client.info();
  return engineFromInfo(info as { version: { number: string; distribution?: string } });
}
