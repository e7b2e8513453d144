// The Kibana saved objects of the "Uptime overview" dashboard, built in code and written to
// uptime.ndjson (`node dashboards/kibana/objects.ts > dashboards/kibana/uptime.ndjson`; a test
// fails when the file and this code disagree). Ids are fixed so re-importing overwrites.
//
// Panels: current status per monitor, uptime % over time, response time p50/p95, down checks by
// error.type, certificates expiring within 30 days, recent incidents (uptime-events), DNS answer
// and TCP connect latency p95 of dns and tcp monitors.

import { pathToFileURL } from 'node:url';
import { col, CORE_MIGRATION_VERSION, kql, lens, table, xy, type SavedObject } from './lens.ts';

/** The Kibana release docker-compose.yml runs; panels record it as the version that made them. */
export const KIBANA_VERSION = '8.19.2';

export const DATA_VIEWS = {
  checks: { id: 'uptime-checks-data-view', pattern: 'uptime-checks-*', name: 'Uptime checks' },
  events: { id: 'uptime-events-data-view', pattern: 'uptime-events-*', name: 'Uptime events' },
} as const;

const micros = { id: 'duration', params: { inputFormat: 'microseconds', outputFormat: 'humanizePrecise', outputPrecision: 1 } };

function dataView(view: (typeof DATA_VIEWS)[keyof typeof DATA_VIEWS], formats: Record<string, unknown> = {}): SavedObject {
  return {
    type: 'index-pattern',
    id: view.id,
    managed: false,
    coreMigrationVersion: CORE_MIGRATION_VERSION,
    typeMigrationVersion: '8.0.0',
    attributes: {
      title: view.pattern,
      name: view.name,
      timeFieldName: '@timestamp',
      fieldFormatMap: JSON.stringify(formats),
    },
    references: [],
  };
}

const checks = DATA_VIEWS.checks.id;

const currentStatus = lens({
  id: 'uptime-lens-current-status',
  title: 'Current status per monitor',
  description: 'The newest check of each monitor in the time range.',
  visualizationType: 'lnsDatatable',
  dataViewId: checks,
  columns: {
    monitor: col.terms('monitor.name', 'Monitor', 200),
    status: col.lastValue('monitor.status', 'Status', 'string'),
    checked: col.lastValue('@timestamp', 'Last check', 'date'),
    duration: col.lastValue('monitor.duration.us', 'Response time', 'number'),
    url: col.lastValue('url.full', 'URL', 'string'),
  },
  visualization: table(['monitor', 'status', 'checked', 'duration', 'url']),
});

const uptimeOverTime = lens({
  id: 'uptime-lens-uptime-over-time',
  title: 'Uptime % over time',
  description: 'Share of up checks (summary.up is 1 for up, 0 for down) per interval, by monitor.',
  visualizationType: 'lnsXY',
  dataViewId: checks,
  columns: {
    time: col.dateHistogram(),
    monitor: col.terms('monitor.name', 'Monitor', 10, { type: 'column', columnId: 'uptime', fallback: false }),
    uptime: col.average('summary.up', 'Uptime', { id: 'percent', params: { decimals: 2 } }),
  },
  visualization: xy('line', 'time', ['uptime'], 'monitor'),
});

const responseTime = lens({
  id: 'uptime-lens-response-time',
  title: 'Response time p50 / p95',
  description: 'Whole probe duration (monitor.duration.us) of up checks.',
  visualizationType: 'lnsXY',
  dataViewId: checks,
  query: kql('monitor.status : "up"'),
  columns: {
    time: col.dateHistogram(),
    p50: col.percentile('monitor.duration.us', 'p50', 50),
    p95: col.percentile('monitor.duration.us', 'p95', 95),
  },
  visualization: xy('line', 'time', ['p50', 'p95']),
});

const downByError = lens({
  id: 'uptime-lens-down-by-error',
  title: 'Down checks by error type',
  description: 'Failing checks per interval, split by error.type.',
  visualizationType: 'lnsXY',
  dataViewId: checks,
  columns: {
    time: col.dateHistogram(),
    error: col.terms('error.type', 'Error type', 10, { type: 'column', columnId: 'down', fallback: false }),
    down: col.count('Down checks', kql('monitor.status : "down"')),
  },
  visualization: xy('bar_stacked', 'time', ['down'], 'error'),
});

const certificates = lens({
  id: 'uptime-lens-certificates',
  title: 'Certificates expiring within 30 days',
  description: 'Hosts whose served certificate ends within 30 days, soonest first.',
  visualizationType: 'lnsDatatable',
  dataViewId: checks,
  query: kql('tls.server.x509.not_after < "now+30d"'),
  columns: {
    domain: col.terms('url.domain', 'Host', 100),
    expires: col.lastValue('tls.server.x509.not_after', 'Expires', 'date'),
    issuer: col.lastValue('tls.server.x509.issuer.common_name', 'Issuer', 'string'),
    monitor: col.lastValue('monitor.name', 'Monitor', 'string'),
  },
  visualization: table(['domain', 'expires', 'issuer', 'monitor'], { columnId: 'expires', direction: 'asc' }),
});

const dnsTcpLatency = lens({
  id: 'uptime-lens-dns-tcp-latency',
  title: 'DNS and TCP latency p95',
  description: 'dns monitors: question sent to answer (resolve.rtt.us); tcp monitors: connect time (tcp.rtt.connect.us). By monitor.',
  visualizationType: 'lnsXY',
  dataViewId: checks,
  query: kql('monitor.type : "dns" or monitor.type : "tcp"'),
  columns: {
    time: col.dateHistogram(),
    monitor: col.terms('monitor.name', 'Monitor', 10),
    answer: col.percentile('resolve.rtt.us', 'DNS answer p95', 95, kql('monitor.type : "dns"')),
    connect: col.percentile('tcp.rtt.connect.us', 'TCP connect p95', 95, kql('monitor.type : "tcp"')),
  },
  visualization: xy('line', 'time', ['answer', 'connect'], 'monitor'),
});

const recentIncidents: SavedObject = {
  type: 'search',
  id: 'uptime-search-recent-incidents',
  managed: false,
  coreMigrationVersion: CORE_MIGRATION_VERSION,
  typeMigrationVersion: '8.0.0',
  attributes: {
    title: 'Recent incidents',
    description: 'Incidents opened and resolved, newest first (uptime-events).',
    columns: ['event.action', 'monitor.id', 'monitor.name', 'error.type', 'error.message', 'event.start', 'event.end'],
    sort: [['@timestamp', 'desc']],
    grid: {},
    hideChart: true,
    isTextBasedQuery: false,
    kibanaSavedObjectMeta: {
      searchSourceJSON: JSON.stringify({
        query: kql('event.action : "incident-opened" or event.action : "incident-resolved"'),
        filter: [],
        indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index',
      }),
    },
  },
  references: [{ type: 'index-pattern', id: DATA_VIEWS.events.id, name: 'kibanaSavedObjectMeta.searchSourceJSON.index' }],
};

type Panel = { key: string; object: SavedObject; x: number; y: number; w: number; h: number };

function dashboard(panels: Panel[]): SavedObject {
  return {
    type: 'dashboard',
    id: 'uptime-overview',
    managed: false,
    coreMigrationVersion: CORE_MIGRATION_VERSION,
    // Model version 2 of the dashboard type; Kibana 8.19 migrates it forward on import.
    typeMigrationVersion: '10.2.0',
    attributes: {
      title: 'Uptime overview',
      description: 'Status, uptime, response times, failures, certificates, incidents, and DNS and TCP latency of every monitor.',
      timeRestore: true,
      timeFrom: 'now-24h',
      timeTo: 'now',
      refreshInterval: { pause: false, value: 60_000 },
      optionsJSON: JSON.stringify({ useMargins: true, syncColors: false, syncCursor: true, syncTooltips: false, hidePanelTitles: false }),
      panelsJSON: JSON.stringify(
        panels.map((p) => ({
          version: KIBANA_VERSION,
          type: p.object.type,
          gridData: { x: p.x, y: p.y, w: p.w, h: p.h, i: p.key },
          panelIndex: p.key,
          embeddableConfig: { enhancements: {} },
          panelRefName: `panel_${p.key}`,
        })),
      ),
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: kql(''), filter: [] }) },
    },
    references: panels.map((p) => ({ type: p.object.type, id: p.object.id, name: `${p.key}:panel_${p.key}` })),
  };
}

export function buildSavedObjects(): SavedObject[] {
  const panels: Panel[] = [
    { key: 'status', object: currentStatus, x: 0, y: 0, w: 24, h: 15 },
    { key: 'uptime', object: uptimeOverTime, x: 24, y: 0, w: 24, h: 15 },
    { key: 'response', object: responseTime, x: 0, y: 15, w: 24, h: 15 },
    { key: 'errors', object: downByError, x: 24, y: 15, w: 24, h: 15 },
    { key: 'certificates', object: certificates, x: 0, y: 30, w: 24, h: 15 },
    { key: 'incidents', object: recentIncidents, x: 24, y: 30, w: 24, h: 15 },
    { key: 'dns-tcp', object: dnsTcpLatency, x: 0, y: 45, w: 24, h: 15 },
  ];
  return [
    dataView(DATA_VIEWS.checks, {
      'monitor.duration.us': micros,
      'http.rtt.total.us': micros,
      'http.rtt.response_header.us': micros,
      'resolve.rtt.us': micros,
      'tcp.rtt.connect.us': micros,
      'tls.rtt.handshake.us': micros,
      'summary.up': { id: 'percent' },
    }),
    dataView(DATA_VIEWS.events, { 'event.duration': { id: 'duration', params: { inputFormat: 'nanoseconds', outputFormat: 'humanizePrecise' } } }),
    ...panels.map((p) => p.object),
    dashboard(panels),
  ];
}

/** One object per line, as Kibana's export writes and its import reads. */
export function toNdjson(objects: SavedObject[]): string {
  return objects.map((o) => JSON.stringify(o)).join('\n') + '\n';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(toNdjson(buildSavedObjects()));
}
