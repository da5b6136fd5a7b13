// What Meta's refusal of a send means beyond this one message (meta-apis reference §4.5, §4.5a).
// Every code here is an error answer to our send request, so nothing went out: the notification
// may wait and go later without any risk of a duplicate. Pure.
import type { OutboundError } from '../integrations/outbound-error.js';

export type MetaSendRule =
  /** 131048: too many messages of this number were blocked or reported; stop the number */
  | { readonly kind: 'pause_number'; readonly code: number }
  /** 368 (policy block), 131031 (account locked), 131042 (payment problem): stop the whole account */
  | { readonly kind: 'pause_account'; readonly code: number }
  /** 131049: per-user marketing cap ("healthy ecosystem engagement"); not before 24 h */
  | { readonly kind: 'marketing_limit'; readonly code: number }
  /** 131050: the user stopped marketing messages; record the opt-out */
  | { readonly kind: 'opted_out'; readonly code: number }
  /** 132015 (paused), 132016 (disabled): the campaign's template is unusable for now */
  | { readonly kind: 'template_paused'; readonly code: number }
  /** 131047: outside the 24-hour window; a template may go instead */
  | { readonly kind: 'outside_window'; readonly code: number };

export const PAUSE_NUMBER_CODES: readonly number[] = [131048];
export const PAUSE_ACCOUNT_CODES: readonly number[] = [368, 131031, 131042];

export function metaSendRule(error: Pick<OutboundError, 'service' | 'providerCode'>): MetaSendRule | null {
  if (error.service !== 'meta' || error.providerCode === undefined) return null;
  const code = error.providerCode;
  if (PAUSE_NUMBER_CODES.includes(code)) return { kind: 'pause_number', code };
  if (PAUSE_ACCOUNT_CODES.includes(code)) return { kind: 'pause_account', code };
  if (code === 131049) return { kind: 'marketing_limit', code };
  if (code === 131050) return { kind: 'opted_out', code };
  if (code === 132015 || code === 132016) return { kind: 'template_paused', code };
  if (code === 131047) return { kind: 'outside_window', code };
  return null;
}
