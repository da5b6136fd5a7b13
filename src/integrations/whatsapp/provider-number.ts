// waapi-style providers address a WhatsApp user by the E.164 digits without '+': waapi.app builds
// `<digits>@c.us` chat ids from it, and a '+' or spaces there produce an id that silently delivers
// nothing. So `number` is always country code + national number, digits only ("+51 987 654 321" → "51987654321").
import { OutboundError } from '../outbound-error.js';

const E164_DIGITS = /^[1-9]\d{6,14}$/;

export function toProviderNumber(phone: string): string {
  const digits = phone
    .trim()
    .replace(/[\s().-]/g, '')
    .replace(/^\+/, '');
  if (!E164_DIGITS.test(digits)) {
    // The phone itself stays out of the message: it is personal data and error messages reach logs.
    throw new OutboundError({ kind: 'permanent', service: 'whatsapp-provider', message: 'The recipient phone is not an E.164 number' });
  }
  return digits;
}
