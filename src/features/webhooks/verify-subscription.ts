// GET /webhooks/meta: Meta's subscription handshake. When the callback URL or verify token is set
// in the App Dashboard, Meta calls ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=… and
// expects the challenge back as the body of a 200; anything else fails the setup (403 here).
import { AppError } from '../../http/errors.js';
import { constantTimeEquals } from './meta-signature.js';

/** The challenge to echo, or a 403. Without a configured token no handshake succeeds. */
export function answerSubscription(query: Record<string, unknown>, verifyToken: string | undefined): string {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  const valid =
    verifyToken !== undefined &&
    mode === 'subscribe' &&
    typeof token === 'string' &&
    constantTimeEquals(token, verifyToken) &&
    typeof challenge === 'string' &&
    challenge.length > 0 &&
    challenge.length <= 1024;
  if (!valid) throw new AppError('FORBIDDEN', 'webhook verification failed');
  return challenge;
}
