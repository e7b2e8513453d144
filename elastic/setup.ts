// Installs (or upgrades in place) every Elasticsearch resource the product needs: component and
// index templates, the two data streams of the namespace with their lifecycle, and the regular
// indices. Idempotent: run it on every deploy (`npm run es:setup`, or the compose `setup-app`
// service). Existing indices and data streams get the current mappings added (new fields only:
// Elasticsearch refuses to change a field's type, and that error is reported as is).
//
//   ELASTICSEARCH_URL=https://es:9200 ELASTICSEARCH_API_KEY=… npm run es:setup
//
// Library use: `await installTemplates(client, { namespace: 'default', retentionDays: 400 })`.

import { pathToFileURL } from 'node:url';
import { type Client, errors } from '@elastic/elasticsearch';
import { loadConfig } from '../config.ts';
import { clientFromConfig, REQUEST_TIMEOUT_MS } from './client.ts';
import { describeConnectFailure, safeOrigin } from './connect-failure.ts';
import { detectEngine, type Engine } from './engine.ts';
import { buildTemplates, type TemplateOptions } from './templates/index.ts';

export { clientFromConfig } from './client.ts';

export type InstallReport = {
  componentTemplates: string[];
  indexTemplates: string[];
  dataStreams: { created: string[]; updated: string[] };
  indices: { created: string[]; updated: string[] };
};

function isAlreadyExists(error: unknown): boolean {
  return (
    error instanceof errors.ResponseError &&
    /resource_already_exists_exception/.test(String(error.body?.error?.type ?? error.message))
  );
}

export async function installTemplates(
  client: Client,
  options: Omit<TemplateOptions, 'lifecycle'> & { engine?: Engine },
): Promise<InstallReport> {
  const engine = options.engine ?? (await detectEngine(client));
  const set = buildTemplates({ namespace: options.namespace, retentionDays: options.retentionDays, lifecycle: engine.lifecycle });
  const timeout = { requestTimeout: REQUEST_TIMEOUT_MS };
  const report: InstallReport = {
    componentTemplates: [],
    indexTemplates: [],
    dataStreams: { created: [], updated: [] },
    indices: { created: [], updated: [] },
  };
  // Component templates first: an index template naming a missing one is refused.
  for (const template of set.componentTemplates) {
    await client.cluster.putComponentTemplate(template, timeout);
    report.componentTemplates.push(template.name);
  }
  for (const template of set.indexTemplates) {
    await client.indices.putIndexTemplate(template, timeout);
    report.indexTemplates.push(template.name);
  }
  for (const stream of set.dataStreams) {
    try {
      await client.indices.createDataStream({ name: stream.name }, timeout);
      report.dataStreams.created.push(stream.name);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      // A template change reaches existing backing indices only through an explicit update.
      await client.indices.putMapping({ index: stream.name, ...stream.mappings }, timeout);
      report.dataStreams.updated.push(stream.name);
    }
    // The lifecycle lives on the data stream once created: set it so a changed retention applies.
    if (stream.lifecycle) await client.indices.putDataLifecycle({ name: stream.name, ...stream.lifecycle }, timeout);
  }
  for (const index of set.indices) {
    try {
      await client.indices.create({ index: index.index, settings: index.settings, mappings: index.mappings }, timeout);
      report.indices.created.push(index.index);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      await client.indices.putMapping({ index: index.index, ...index.mappings }, timeout);
      report.indices.updated.push(index.index);
    }
  }
  return report;
}

async function main(env: Record<string, string | undefined>): Promise<void> {
  const picked = Object.fromEntries(
    Object.entries(env).filter(([name]) => name.startsWith('ELASTICSEARCH_') || name === 'CHECKS_RETENTION_DAYS'),
  );
  // Same schema and messages as the app; STORE=sqlite only spares this script the app-only
  // requirements (JWT_SECRET) that come with STORE=elasticsearch.
  const config = loadConfig({ ...picked, STORE: 'sqlite' });
  if (!config.ELASTICSEARCH_URL) throw new Error('missing ELASTICSEARCH_URL: the Elasticsearch node to install into');
  let client: Client | undefined;
  try {
    client = await clientFromConfig({ ...config, ELASTICSEARCH_URL: config.ELASTICSEARCH_URL });
    const report = await installTemplates(client, {
      namespace: config.ELASTICSEARCH_NAMESPACE,
      retentionDays: config.CHECKS_RETENTION_DAYS,
    });
    console.log(JSON.stringify({ msg: 'elasticsearch resources installed', ...report }));
  } catch (error) {
    // Same one line as the app's start-up: untrusted certificate, refused credentials…
    throw new Error(`${safeOrigin(config.ELASTICSEARCH_URL)}: ${describeConnectFailure(error, config)}`);
  } finally {
    await client?.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.env).catch((error: unknown) => {
    console.error(`es:setup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
