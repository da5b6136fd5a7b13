// The parts of Meta's webhook payloads we read (WhatsApp `messages` statuses and inbound messages,
// account events, Instagram and Page comment changes). Parsing is lenient and per item: Meta adds fields freely, and one malformed status
// must not hide the other 999 in a batch. Pure; no I/O.
import { z } from 'zod';

export const WHATSAPP_OBJECT = 'whatsapp_business_account';
/** Objects whose changes are processed: WhatsApp, and Instagram/Page comments for the comment index. */
const PROCESSED_OBJECTS = new Set([WHATSAPP_OBJECT, 'instagram', 'page']);

const id = z.union([z.string().min(1), z.number().transform(String)]);
const unixSeconds = z.union([z.string(), z.number()]);

const envelopeSchema = z.object({
  object: z.string().optional(),
  entry: z.array(z.unknown()).optional(),
});

const entrySchema = z.object({
  id: id.optional(),
  time: z.number().optional(),
  changes: z.array(z.unknown()).optional(),
});

const changeSchema = z.object({
  field: z.string().min(1),
  value: z.unknown(),
});

export const messagesValueSchema = z.object({
  metadata: z.object({ phone_number_id: id, display_phone_number: z.string().optional() }),
  statuses: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
});

export const statusSchema = z.object({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: unixSeconds,
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z.array(z.object({ code: z.number().int().optional(), title: z.string().optional(), message: z.string().optional() })).optional(),
  // What Meta charges for the message (on one of delivered/read since v24.0)
  pricing: z.object({ category: z.string().optional(), billable: z.boolean().optional() }).optional(),
});

export const inboundMessageSchema = z.object({
  from: z.string().regex(/^\d{5,20}$/, 'a WhatsApp id (digits)'),
  id: z.string().optional(),
  timestamp: unixSeconds,
  type: z.string().optional(),
  text: z.object({ body: z.string().optional() }).optional(),
});

export const errorSchema = z.object({ code: z.number().optional(), title: z.string().optional() });

export interface ChangePosition {
  readonly entryIndex: number;
  readonly changeIndex: number;
}

export interface OutlinedChange extends ChangePosition {
  readonly field: string;
}

export interface PayloadOutline {
  readonly object: string | null;
  readonly changes: OutlinedChange[];
  /** Parts that cannot be processed (another object, an entry without changes), with why */
  readonly skipped: { readonly entryIndex: number | null; readonly reason: string }[];
}

/** Which changes a delivery holds, in order. */
export function outlinePayload(payload: unknown): PayloadOutline {
  const envelope = envelopeSchema.safeParse(payload);
  if (!envelope.success)
    return { object: null, changes: [], skipped: [{ entryIndex: null, reason: 'the body is not a webhook envelope ({object, entry[]})' }] };
  const object = envelope.data.object ?? null;
  if (object === null || !PROCESSED_OBJECTS.has(object)) {
    return { object, changes: [], skipped: [{ entryIndex: null, reason: `object "${object ?? '(none)'}" is stored but not processed` }] };
  }
  const changes: OutlinedChange[] = [];
  const skipped: PayloadOutline['skipped'] = [];
  (envelope.data.entry ?? []).forEach((rawEntry, entryIndex) => {
    const entry = entrySchema.safeParse(rawEntry);
    if (!entry.success || !entry.data.changes) {
      skipped.push({ entryIndex, reason: 'entry has no changes[]' });
      return;
    }
    entry.data.changes.forEach((rawChange, changeIndex) => {
      const change = changeSchema.safeParse(rawChange);
      changes.push({ entryIndex, changeIndex, field: change.success ? change.data.field : '(missing field)' });
    });
  });
  return { object, changes, skipped };
}

export interface LocatedChange {
  readonly entryId: string | undefined;
  /** entry.time: when Meta produced the event */
  readonly entryTime: Date | undefined;
  readonly field: string | undefined;
  readonly value: unknown;
}

export function locateChange(payload: unknown, position: ChangePosition): LocatedChange | undefined {
  const envelope = envelopeSchema.safeParse(payload);
  const entry = entrySchema.safeParse(envelope.success ? envelope.data.entry?.[position.entryIndex] : undefined);
  if (!entry.success) return undefined;
  const rawChange = entry.data.changes?.[position.changeIndex];
  if (rawChange === undefined) return undefined;
  const change = changeSchema.safeParse(rawChange);
  return {
    entryId: entry.data.id,
    entryTime: entry.data.time === undefined ? undefined : fromUnixSeconds(entry.data.time),
    field: change.success ? change.data.field : undefined,
    value: change.success ? change.data.value : undefined,
  };
}

/** Meta's timestamps are unix seconds, as a string in message payloads and a number in entries. */
export function fromUnixSeconds(value: string | number): Date | undefined {
  const seconds = typeof value === 'number' ? value : /^\d{1,12}$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
  return new Date(seconds * 1000);
}

/** "…4321": enough for an operator to recognise a number, not enough to publish it. */
export function maskPhone(digits: string): string {
  return `…${digits.slice(-4)}`;
}

export function digitsOf(phone: string | null | undefined): string {
  return (phone ?? '').replace(/\D/g, '');
}

export function zodProblem(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
