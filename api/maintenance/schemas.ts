// Maintenance window shapes (DESIGN "Monitor types, rules and operations"): {name, monitor_ids[]
// or all: true, start and end (ISO), or repeat {every, days?, from, to, tz}}. The create schema
// also validates a PATCH once merged onto the stored window (routes.ts), so both name the same
// fields with the same messages.

import { z } from '@hono/zod-openapi';
import { inWindow } from '../../store/maintenance-schedule.ts';
import { type MaintenanceInput, type MaintenanceWindow, REPEAT_EVERY, WEEKDAYS } from '../../store/maintenance.ts';
import { IsoTime, iso, isoOrNull } from '../common.ts';
import { monitorName, timeZone } from '../monitors/fields.ts';

/** Per window; "all: true" covers any number. */
export const MAX_WINDOW_MONITORS = 500;

const hhmm = (example: string) =>
  z
    .string({ message: 'must be a string' })
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM, 00:00 to 23:59')
    .openapi({ example });

const isoTime = (example: string) =>
  z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a zone, e.g. 2026-06-01T22:00:00Z' })
    .openapi({ example });

const Repeat = z
  .object({
    every: z.enum(REPEAT_EVERY, { message: `must be one of ${REPEAT_EVERY.join(', ')}` }),
    days: z
      .array(z.enum(WEEKDAYS, { message: `must be one of ${WEEKDAYS.join(', ')}` }))
      .min(1, 'must name at least one day')
      .optional()
      .openapi({ description: 'Weekly windows only: the days the window starts on', example: ['sat', 'sun'] }),
    from: hhmm('22:00'),
    to: hhmm('02:00').openapi({ description: 'Earlier than from: the window crosses midnight' }),
    tz: timeZone,
  })
  .strict()
  .openapi('MaintenanceRepeat', {
    description: 'Wall-clock times of tz: on DST change days the window lasts what the clock shows',
  });

const fields = {
  name: monitorName.openapi({ example: 'Database upgrade' }),
  monitor_ids: z
    .array(z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters'))
    .min(1, 'must name at least one monitor (or give all: true)')
    .max(MAX_WINDOW_MONITORS, `must have at most ${MAX_WINDOW_MONITORS} monitors (or give all: true)`)
    .transform((ids) => [...new Set(ids)]),
  all: z.literal(true, { message: 'must be true (or give monitor_ids)' }).openapi({ description: 'Every monitor of the caller, present and future' }),
  start: isoTime('2026-06-01T22:00:00Z'),
  end: isoTime('2026-06-02T00:00:00Z'),
  repeat: Repeat,
};

type Body = {
  name: string;
  monitor_ids?: string[] | undefined;
  all?: true | undefined;
  start?: string | undefined;
  end?: string | undefined;
  repeat?: z.infer<typeof Repeat> | undefined;
};

/** The rules between fields, each problem on the field to change. */
function checkBody(body: Body, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (body.all && body.monitor_ids) issue(['all'], 'must not be given with monitor_ids');
  if (!body.all && !body.monitor_ids) issue(['monitor_ids'], 'is required (or give all: true)');
  if (body.repeat) {
    if (body.start !== undefined) issue(['start'], 'must not be given with repeat');
    if (body.end !== undefined) issue(['end'], 'must not be given with repeat');
    const { every, days, from, to } = body.repeat;
    if (every === 'week' && !days) issue(['repeat', 'days'], 'is required when every is week');
    if (every === 'day' && days) issue(['repeat', 'days'], 'must not be given when every is day (use every: week)');
    if (from === to) issue(['repeat', 'to'], 'must differ from from');
    return;
  }
  if (body.start === undefined) issue(['start'], 'is required (or give repeat)');
  if (body.end === undefined) issue(['end'], 'is required (or give repeat)');
  if (body.start !== undefined && body.end !== undefined && !(Date.parse(body.end) > Date.parse(body.start))) {
    issue(['end'], 'must be after start');
  }
}

export const MaintenanceCreate = z
  .object({
    name: fields.name,
    monitor_ids: fields.monitor_ids.optional(),
    all: fields.all.optional(),
    start: fields.start.optional(),
    end: fields.end.optional(),
    repeat: fields.repeat.optional(),
  })
  .strict()
  .superRefine(checkBody)
  .openapi('MaintenanceCreate', {
    description: 'monitor_ids or all: true; start and end, or repeat',
    example: { name: 'Database upgrade', monitor_ids: ['01J9Z6W3K8Q4B5X2M7N0R1T2V3'], start: '2026-06-01T22:00:00Z', end: '2026-06-02T00:00:00Z' },
  });

export const MaintenancePatch = z
  .object({
    name: fields.name.optional(),
    monitor_ids: fields.monitor_ids.optional(),
    all: z.boolean({ message: 'must be true or false' }).optional(),
    start: fields.start.optional(),
    end: fields.end.optional(),
    repeat: fields.repeat.optional(),
  })
  .strict()
  .openapi('MaintenancePatch', {
    description: 'Fields to change. repeat replaces start and end and the reverse; monitor_ids replaces all: true and the reverse',
    example: { repeat: { every: 'week', days: ['sat'], from: '02:00', to: '04:00', tz: 'Europe/Paris' } },
  });

export const MaintenanceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    all: z.boolean(),
    monitor_ids: z.array(z.string()),
    start: IsoTime.nullable(),
    end: IsoTime.nullable(),
    repeat: z
      .object({ every: z.enum(REPEAT_EVERY), days: z.array(z.enum(WEEKDAYS)).optional(), from: z.string(), to: z.string(), tz: z.string() })
      .nullable(),
    active: z.boolean().openapi({ description: 'The window covers this instant' }),
    created_at: IsoTime,
    updated_at: IsoTime,
  })
  .openapi('MaintenanceWindow');

export const MaintenanceListSchema = z.object({ items: z.array(MaintenanceSchema) }).openapi('MaintenanceList');

export type MaintenanceBody = z.infer<typeof MaintenanceCreate>;

export function toInput(body: MaintenanceBody): MaintenanceInput {
  const { repeat } = body;
  return {
    name: body.name,
    all_monitors: body.all === true,
    monitor_ids: body.all ? [] : (body.monitor_ids ?? []),
    start: repeat || body.start === undefined ? null : Date.parse(body.start),
    end: repeat || body.end === undefined ? null : Date.parse(body.end),
    repeat: repeat ? { every: repeat.every, days: repeat.days ?? [], from: repeat.from, to: repeat.to, tz: repeat.tz } : null,
  };
}

/** The stored window as a create body, so that a PATCH merged onto it is validated like a create. */
export function toBody(window: MaintenanceWindow): Body {
  const { repeat } = window;
  return {
    name: window.name,
    ...(window.all_monitors ? { all: true as const } : { monitor_ids: window.monitor_ids }),
    ...(repeat
      ? { repeat: { every: repeat.every, ...(repeat.every === 'week' ? { days: repeat.days } : {}), from: repeat.from, to: repeat.to, tz: repeat.tz } }
      : { start: isoOrNull(window.start) ?? undefined, end: isoOrNull(window.end) ?? undefined }),
  };
}

/** The stored window with a PATCH applied (see MaintenancePatch), as a create body to validate. */
export function mergePatch(window: MaintenanceWindow, patch: z.infer<typeof MaintenancePatch>): Body {
  const merged: Body = { ...toBody(window) };
  if (patch.name !== undefined) merged.name = patch.name;
  if (patch.monitor_ids !== undefined) {
    merged.monitor_ids = patch.monitor_ids;
    if (patch.all === undefined) delete merged.all;
  }
  if (patch.all === true) {
    merged.all = true;
    if (patch.monitor_ids === undefined) delete merged.monitor_ids;
  } else if (patch.all === false) {
    delete merged.all;
  }
  if (patch.repeat !== undefined) {
    merged.repeat = patch.repeat;
    if (patch.start === undefined) delete merged.start;
    if (patch.end === undefined) delete merged.end;
  }
  if (patch.start !== undefined || patch.end !== undefined) {
    if (patch.start !== undefined) merged.start = patch.start;
    if (patch.end !== undefined) merged.end = patch.end;
    if (patch.repeat === undefined) delete merged.repeat;
  }
  return merged;
}

export function maintenanceJson(window: MaintenanceWindow, now: number): z.infer<typeof MaintenanceSchema> {
  const body = toBody(window);
  return {
    id: window.id,
    name: window.name,
    all: window.all_monitors,
    monitor_ids: window.monitor_ids,
    start: isoOrNull(window.start),
    end: isoOrNull(window.end),
    repeat: body.repeat ?? null,
    active: inWindow(window, now),
    created_at: iso(window.created_at),
    updated_at: iso(window.updated_at),
  };
}
