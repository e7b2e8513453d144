// vitest global setup: picks the search engine for the suites that need one, once per run, in
// this order (DESIGN.md):
//   1. ES_URL, when set: used as is (any Elasticsearch 8/9 or the dev node).
//   2. java (and mvn, unless already built) on PATH: the OpenSearch dev node of elastic/dev-node on
//      127.0.0.1:ES_PORT (9200), reused if it already runs, stopped afterwards only if started here.
//   3. a Docker engine: Elasticsearch 8.19 in a container (testcontainers).
//   4. none: the suites skip with a loud notice, or the run fails when REQUIRE_ELASTICSEARCH=1.
// The choice reaches tests as `inject('esUrl')` and as process.env.ES_URL (read by child processes
// and by elastic/store/testing.ts). The node starts for every run that has java, even one
// that runs no search-engine suite: 8–70 s the first time, nothing while it keeps running
// (`npm run es:start` before a session of test runs).

import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { canRunDevNode, portFromEnv, startDevNode, stopDevNode } from '../../elastic/dev-node/es.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    esUrl: string | null;
  }
}

type Teardown = () => Promise<void>;
type Engine = { url: string; teardown: Teardown };

const ELASTICSEARCH_IMAGE = 'docker.elastic.co/elasticsearch/elasticsearch:8.19.2';

function hasDocker(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

async function devNode(): Promise<Engine> {
  const port = portFromEnv();
  const node = await startDevNode({ port, log: (line) => console.log(`[test setup] ${line}`) });
  return { url: node.url, teardown: node.started ? () => stopDevNode({ port, log: () => {} }) : async () => {} };
}

async function container(): Promise<Engine> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const started = await new GenericContainer(ELASTICSEARCH_IMAGE)
    .withEnvironment({ 'discovery.type': 'single-node', 'xpack.security.enabled': 'false', ES_JAVA_OPTS: '-Xms512m -Xmx1g' })
    .withExposedPorts(9200)
    .withWaitStrategy(Wait.forHttp('/_cluster/health?wait_for_status=yellow&timeout=1s', 9200).forStatusCode(200))
    .withStartupTimeout(180_000)
    .start();
  return { url: `http://${started.getHost()}:${started.getMappedPort(9200)}`, teardown: async () => void (await started.stop()) };
}

async function chooseEngine(): Promise<Engine | null> {
  if (process.env.ES_URL) return { url: process.env.ES_URL, teardown: async () => {} };
  if (canRunDevNode()) return devNode();
  if (hasDocker()) return container();
  return null;
}

export default async function setup(project: TestProject): Promise<Teardown> {
  const engine = await chooseEngine();
  if (!engine) {
    const how = 'set ES_URL to a running node, or install java 17 and maven (the OpenSearch dev node), or run a Docker engine';
    if (process.env.REQUIRE_ELASTICSEARCH === '1') {
      throw new Error(`REQUIRE_ELASTICSEARCH=1 but there is no search engine for the tests: ${how}`);
    }
    console.warn(
      [
        '',
        '*'.repeat(88),
        '*** NO SEARCH ENGINE: the Elasticsearch suites are SKIPPED in this run',
        '***   (elastic/store/ conformance and identity, elastic/setup.test.ts, and the',
        '***   elasticsearch variants of the cross-part scenarios in test/).',
        `*** To run them: ${how}.`,
        '*** With REQUIRE_ELASTICSEARCH=1 (as in CI) this is a failure instead.',
        '*'.repeat(88),
        '',
      ].join('\n'),
    );
  }
  const url = engine?.url ?? null;
  project.provide('esUrl', url);
  if (url) process.env.ES_URL = url;
  else delete process.env.ES_URL;
  return engine?.teardown ?? (async () => {});
}
