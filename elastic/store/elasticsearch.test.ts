// The Elasticsearch store against the conformance suite, each case in a fresh namespace of the
// test node (OpenSearch 2.19 with the compatibility plugin in CI: elastic/dev-node/).

import { describe, it } from 'vitest';
import { runStoreConformance } from '../../store/conformance.ts';
import { openTestStore, refreshNamespace, testEsUrl, type TestStore } from './testing.ts';

const url = testEsUrl();

if (url) {
  runStoreConformance({
    name: 'elasticsearch',
    // A short feed overlap, so that the re-read of late-visible checks comes within the test's bounds.
    open: () => openTestStore(url, { feedOverlapMs: 1_500 }),
    refresh: (store) => refreshNamespace((store as TestStore).client, (store as TestStore).namespace),
  });
} else {
  describe('store conformance: elasticsearch', () => {
    it.skip('needs a search engine (ES_URL, or java and mvn for the dev node): see test/setup/elasticsearch.ts', () => {});
  });
}
