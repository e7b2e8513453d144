// Builders for Kibana Lens columns and saved objects (form-based datasource, one layer per
// panel), so that objects.ts lists panels by what they show. The JSON shapes are those Kibana
// 8.x exports; `LENS_MIGRATION_VERSION` is the newest lens migration up to 8.19.

export type KibanaReference = { type: string; id: string; name: string };
export type SavedObject = {
  type: string;
  id: string;
  managed: false;
  coreMigrationVersion: string;
  typeMigrationVersion: string;
  attributes: Record<string, unknown>;
  references: KibanaReference[];
};

export type KqlQuery = { language: 'kuery'; query: string };
export type LensColumn = {
  label: string;
  dataType: 'date' | 'number' | 'string' | 'ip';
  operationType: 'date_histogram' | 'terms' | 'count' | 'average' | 'percentile' | 'last_value' | 'max' | 'min';
  sourceField: string;
  isBucketed: boolean;
  scale: 'interval' | 'ordinal' | 'ratio';
  customLabel?: boolean;
  filter?: KqlQuery;
  params?: Record<string, unknown>;
};

export const CORE_MIGRATION_VERSION = '8.8.0';
export const LENS_MIGRATION_VERSION = '8.9.0';
/** Lens's own name for "count of documents" (no field). */
export const RECORDS = '___records___';

export const kql = (query: string): KqlQuery => ({ language: 'kuery', query });

export const col = {
  dateHistogram: (field = '@timestamp'): LensColumn => ({
    label: field,
    dataType: 'date',
    operationType: 'date_histogram',
    sourceField: field,
    isBucketed: true,
    scale: 'interval',
    params: { interval: 'auto', includeEmptyRows: true, dropPartials: false },
  }),
  terms: (field: string, label: string, size: number, orderBy: Record<string, unknown> = { type: 'alphabetical', fallback: false }): LensColumn => ({
    label,
    customLabel: true,
    dataType: 'string',
    operationType: 'terms',
    sourceField: field,
    isBucketed: true,
    scale: 'ordinal',
    params: {
      size,
      orderBy,
      orderDirection: orderBy.type === 'alphabetical' ? 'asc' : 'desc',
      otherBucket: false,
      missingBucket: false,
      parentFormat: { id: 'terms' },
    },
  }),
  count: (label: string, filter?: KqlQuery): LensColumn => ({
    label,
    customLabel: true,
    dataType: 'number',
    operationType: 'count',
    sourceField: RECORDS,
    isBucketed: false,
    scale: 'ratio',
    ...(filter ? { filter } : {}),
    params: { emptyAsNull: true },
  }),
  average: (field: string, label: string, format?: Record<string, unknown>): LensColumn => ({
    label,
    customLabel: true,
    dataType: 'number',
    operationType: 'average',
    sourceField: field,
    isBucketed: false,
    scale: 'ratio',
    params: { emptyAsNull: true, ...(format ? { format } : {}) },
  }),
  percentile: (field: string, label: string, percentile: number, filter?: KqlQuery): LensColumn => ({
    label,
    customLabel: true,
    dataType: 'number',
    operationType: 'percentile',
    sourceField: field,
    isBucketed: false,
    scale: 'ratio',
    ...(filter ? { filter } : {}),
    params: { percentile },
  }),
  lastValue: (field: string, label: string, dataType: LensColumn['dataType']): LensColumn => ({
    label,
    customLabel: true,
    dataType,
    operationType: 'last_value',
    sourceField: field,
    isBucketed: false,
    scale: dataType === 'number' ? 'ratio' : 'ordinal',
    params: { sortField: '@timestamp', showArrayValues: false },
  }),
};

/** A by-reference Lens object with one form-based layer on `dataViewId`. */
export function lens(options: {
  id: string;
  title: string;
  description: string;
  visualizationType: 'lnsXY' | 'lnsDatatable';
  dataViewId: string;
  columns: Record<string, LensColumn>;
  visualization: Record<string, unknown>;
  query?: KqlQuery;
}): SavedObject {
  const layerId = 'layer1';
  return {
    type: 'lens',
    id: options.id,
    managed: false,
    coreMigrationVersion: CORE_MIGRATION_VERSION,
    typeMigrationVersion: LENS_MIGRATION_VERSION,
    attributes: {
      title: options.title,
      description: options.description,
      visualizationType: options.visualizationType,
      state: {
        visualization: options.visualization,
        query: options.query ?? kql(''),
        filters: [],
        datasourceStates: {
          formBased: {
            layers: {
              [layerId]: { columns: options.columns, columnOrder: Object.keys(options.columns), incompleteColumns: {} },
            },
          },
        },
        internalReferences: [],
        adHocDataViews: {},
      },
    },
    references: [{ type: 'index-pattern', id: options.dataViewId, name: `indexpattern-datasource-layer-${layerId}` }],
  };
}

/** XY chart state for one layer. */
export function xy(seriesType: 'line' | 'bar_stacked', x: string, y: string[], split?: string): Record<string, unknown> {
  return {
    legend: { isVisible: true, position: 'right' },
    valueLabels: 'hide',
    fittingFunction: 'None',
    preferredSeriesType: seriesType,
    axisTitlesVisibilitySettings: { x: false, yLeft: true, yRight: true },
    layers: [
      {
        layerId: 'layer1',
        layerType: 'data',
        seriesType,
        xAccessor: x,
        accessors: y,
        ...(split ? { splitAccessor: split } : {}),
      },
    ],
  };
}

/** Datatable state for one layer: columns shown in this order, optionally sorted by one. */
export function table(columnIds: string[], sorting?: { columnId: string; direction: 'asc' | 'desc' }): Record<string, unknown> {
  return {
    layerId: 'layer1',
    layerType: 'data',
    columns: columnIds.map((columnId) => ({ columnId, isTransposed: false })),
    ...(sorting ? { sorting } : {}),
  };
}
