// Why a notification waits, was skipped or failed, as a short code (claim view
// `notification.reason`). Our words only: the end user's view shows the same code, so none of these
// quote Meta or a provider. Pure (no I/O).

export const NOTIFICATION_REASONS = [
  /** The business portfolio reached its WhatsApp messaging limit (unique users outside a session in 24 h) */
  'MESSAGING_LIMIT',
  /** The sending number or account is paused (Meta's spam or policy block, payment problem, quality RED) */
  'SENDING_PAUSED',
  /** WhatsApp withheld a marketing message to this user (per-user marketing cap); retried a day later */
  'MARKETING_LIMIT',
  /** The campaign's template is paused or disabled by Meta; waits outside a session window */
  'TEMPLATE_PAUSED',
  /** The tenant requires a WhatsApp opt-in and the end user has none */
  'NO_WHATSAPP_OPT_IN',
  /** The end user opted out of WhatsApp messages (STOP, or WhatsApp said they stopped them) */
  'OPTED_OUT',
  /** The end user's data was erased (data rights): they are never messaged again */
  'END_USER_ERASED',
] as const;

export type NotificationReason = (typeof NOTIFICATION_REASONS)[number];
