// Small builders for mapping properties, so each template reads as a list of fields and types.
// `keywordWithText` is Heartbeat's pattern for names that are both filtered on (keyword) and
// searched by word (`.text`).

import type { estypes } from '@elastic/elasticsearch';

export type Properties = Record<string, estypes.MappingProperty>;

export const keyword: estypes.MappingProperty = { type: 'keyword', ignore_above: 1024 };
export const long: estypes.MappingProperty = { type: 'long' };
export const bool: estypes.MappingProperty = { type: 'boolean' };
export const ip: estypes.MappingProperty = { type: 'ip' };
export const date: estypes.MappingProperty = { type: 'date' };
/** Our plain data types keep times as epoch milliseconds; regular indices store them as such. */
export const epochMillis: estypes.MappingProperty = { type: 'date', format: 'epoch_millis' };
export const text: estypes.MappingProperty = { type: 'match_only_text' };
export const keywordWithText: estypes.MappingProperty = {
  type: 'keyword',
  ignore_above: 1024,
  fields: { text: { type: 'text' } },
};
/** Kept in _source only (not searchable): secrets and free-form maps. */
export const storedOnly: estypes.MappingProperty = { type: 'object', enabled: false };

export const object = (properties: Properties): estypes.MappingProperty => ({ properties });
/** `{ us: long }`: every timing in the check document is microseconds, as in Heartbeat. */
export const micros = object({ us: long });
