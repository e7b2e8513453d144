// Every Elasticsearch resource the product needs, as request bodies built from two install-time
// values (namespace, retention). elastic/setup.ts PUTs them; the store uses `indexNames()`.
//
//   component templates  uptime-checks-settings, uptime-checks-mappings,
//                        uptime-events-settings, uptime-events-mappings
//   index templates      uptime-checks (uptime-checks-*), uptime-events (uptime-events-*):
//                        data streams, priority 500, lifecycle retention (CHECKS_RETENTION_DAYS)
//                        for both where the engine has it (elastic/engine.ts); the store's
//                        purgeChecksBefore purges both on every engine (elastic/store/retention.ts)
//   regular indices      uptime-<users|monitors|contacts|api-keys|maintenance|alert-state|incidents|outbox|meta>-<namespace>
//
// Each template carries `version` (TEMPLATE_VERSION) and `_meta.managed_by`: bump the version
// whenever a body here changes, so an operator can tell which release installed what.

import type { estypes } from '@elastic/elasticsearch';
import { checkMappings } from './checks.ts';
import { eventMappings } from './events.ts';
import { REGULAR_INDICES, regularIndexMappings, regularIndexSettings, type RegularIndex } from './indices.ts';

// 7: monitor types; 8: managed_by_file (MONITORS_FILE); 9: certificate expiry; 10: push monitors.
export const TEMPLATE_VERSION = 10;
export const MANAGED_BY = 'downtime-monitor';
/** Above the built-in `logs`/`metrics` templates (100–200); our patterns do not overlap them anyway. */
export const TEMPLATE_PRIORITY = 500;

export type TemplateOptions = {
  namespace: string;
  retentionDays: number;
  /** The engine has data stream lifecycle (elastic/engine.ts); without it, retention is the product's job. */
  lifecycle?: boolean;
};

export class TemplateOptionsError extends Error {
  override name = 'TemplateOptionsError';
}

const meta = (description: string) => ({ managed_by: MANAGED_BY, description });

export function validateTemplateOptions({ namespace, retentionDays }: TemplateOptions): void {
  if (!/^[a-z0-9_]{1,60}$/.test(namespace)) {
    throw new TemplateOptionsError(
      `invalid namespace ${JSON.stringify(namespace)}: expected lowercase letters, digits or _ (no dashes)`,
    );
  }
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new TemplateOptionsError(`invalid retentionDays ${retentionDays}: expected a whole number of days >= 1`);
  }
}

export type IndexNames = { checks: string; events: string } & Record<RegularIndex, string>;

export function indexNames(namespace: string): IndexNames {
  const regular = Object.fromEntries(
    Object.keys(REGULAR_INDICES).map((name) => [name, `uptime-${name}-${namespace}`]),
  ) as Record<RegularIndex, string>;
  return { checks: `uptime-checks-${namespace}`, events: `uptime-events-${namespace}`, ...regular };
}

const dataStreamSettings = (codec: 'default' | 'best_compression'): estypes.IndicesIndexSettings => ({
  number_of_shards: 1,
  auto_expand_replicas: '0-1',
  codec,
});

export type DataStreamSpec = { name: string; mappings: estypes.MappingTypeMapping; lifecycle: estypes.IndicesDataStreamLifecycle | null };
export type RegularIndexSpec = { index: string; settings: estypes.IndicesIndexSettings; mappings: estypes.MappingTypeMapping };

export type TemplateSet = {
  componentTemplates: estypes.ClusterPutComponentTemplateRequest[];
  indexTemplates: estypes.IndicesPutIndexTemplateRequest[];
  dataStreams: DataStreamSpec[];
  indices: RegularIndexSpec[];
};

export function buildTemplates(options: TemplateOptions): TemplateSet {
  validateTemplateOptions(options);
  const names = indexNames(options.namespace);
  const checksLifecycle = { data_retention: `${options.retentionDays}d` };
  // Events (the audit of incidents and notifications) age out with the checks they are about.
  const eventsLifecycle = { data_retention: `${options.retentionDays}d` };
  const lifecycle = options.lifecycle ?? true;
  const component = (name: string, template: estypes.IndicesPutIndexTemplateIndexTemplateMapping, what: string) => ({
    name,
    version: TEMPLATE_VERSION,
    _meta: meta(what),
    template,
  });
  return {
    componentTemplates: [
      component('uptime-checks-settings', { settings: dataStreamSettings('best_compression') }, 'Settings of the checks data streams'),
      component('uptime-checks-mappings', { mappings: withMeta(checkMappings) }, 'Check document (one per probe)'),
      component('uptime-events-settings', { settings: dataStreamSettings('default') }, 'Settings of the events data streams'),
      component('uptime-events-mappings', { mappings: withMeta(eventMappings) }, 'Incident and notification events'),
    ],
    indexTemplates: [
      {
        name: 'uptime-checks',
        index_patterns: ['uptime-checks-*'],
        data_stream: {},
        priority: TEMPLATE_PRIORITY,
        composed_of: ['uptime-checks-settings', 'uptime-checks-mappings'],
        ...(lifecycle ? { template: { lifecycle: checksLifecycle } } : {}),
        version: TEMPLATE_VERSION,
        _meta: meta('Checks: one document per probe, uptime-checks-<namespace>'),
      },
      {
        name: 'uptime-events',
        index_patterns: ['uptime-events-*'],
        data_stream: {},
        priority: TEMPLATE_PRIORITY,
        composed_of: ['uptime-events-settings', 'uptime-events-mappings'],
        ...(lifecycle ? { template: { lifecycle: eventsLifecycle } } : {}),
        version: TEMPLATE_VERSION,
        _meta: meta('Events: incidents and notifications, uptime-events-<namespace>'),
      },
    ],
    dataStreams: [
      { name: names.checks, mappings: checkMappings, lifecycle: lifecycle ? checksLifecycle : null },
      { name: names.events, mappings: eventMappings, lifecycle: lifecycle ? eventsLifecycle : null },
    ],
    indices: (Object.keys(REGULAR_INDICES) as RegularIndex[]).map((name) => ({
      index: names[name],
      settings: regularIndexSettings,
      mappings: withMeta(regularIndexMappings(name)),
    })),
  };
}

function withMeta(mappings: estypes.MappingTypeMapping): estypes.MappingTypeMapping {
  return { ...mappings, _meta: { managed_by: MANAGED_BY, version: TEMPLATE_VERSION } };
}

export { checkMappings, eventMappings };
