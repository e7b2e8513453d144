import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.tools/**', 'data/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests start real servers and SQLite files; two cores do not gain from more workers.
    maxWorkers: 2,
    // Picks the search engine (ES_URL, the OpenSearch dev node, a container, or none) once per run.
    globalSetup: ['test/setup/elasticsearch.ts'],
  },
});
