// The campaign's WhatsApp template: checked against Meta when a campaign is saved (approved in that
// language in the account's WABA, with exactly the body parameters we fill), and followed afterwards
// by message_template_status_update. A PAUSED or DISABLED template is unusable: inside a customer-
// service window a text goes instead; outside one the notification waits (TEMPLATE_PAUSED) until
// Meta approves it again. Pure helpers here; the Graph read is in src/integrations/meta.
import { TEMPLATE_BODY_PARAMETER_COUNT } from '../domain/notification-message.js';

export const UNUSABLE_TEMPLATE_STATUSES: readonly string[] = ['PAUSED', 'DISABLED', 'REJECTED', 'DELETED', 'PENDING_DELETION', 'FLAGGED'];

/** A template whose status is unknown (saved before statuses were kept) is taken as usable. */
export function templateUsable(status: string | null): boolean {
  return status === null || !UNUSABLE_TEMPLATE_STATUSES.includes(status.toUpperCase());
}

/** Positional {{n}} placeholders of a template's BODY component, as Meta returns components. */
export function bodyParameterCount(components: readonly unknown[]): number {
  const body = components.find((component) => String((component as { type?: unknown }).type ?? '').toUpperCase() === 'BODY') as
    | { text?: unknown }
    | undefined;
  const text = typeof body?.text === 'string' ? body.text : '';
  return new Set(text.match(/\{\{\s*\d+\s*\}\}/g) ?? []).size;
}

export type TemplateVerdict =
  | { readonly kind: 'usable'; readonly category: string; readonly status: string }
  | { readonly kind: 'not_approved'; readonly status: string }
  | { readonly kind: 'parameters_mismatch'; readonly expected: number; readonly found: number; readonly status: string };

/** What Meta's templates of that name say about using `language` with our parameters. */
export function judgeTemplate(
  templates: readonly { language: string; status: string; category: string; components: readonly unknown[] }[],
  language: string,
): TemplateVerdict {
  const found = templates.find((template) => template.language === language);
  if (!found) return { kind: 'not_approved', status: 'NOT_FOUND' };
  if (found.status !== 'APPROVED') return { kind: 'not_approved', status: found.status };
  const parameters = bodyParameterCount(found.components);
  if (parameters !== TEMPLATE_BODY_PARAMETER_COUNT) {
    return { kind: 'parameters_mismatch', expected: TEMPLATE_BODY_PARAMETER_COUNT, found: parameters, status: found.status };
  }
  return { kind: 'usable', category: found.category, status: found.status };
}
