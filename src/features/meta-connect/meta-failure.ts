// Meta errors during a connect, as API errors. The OutboundError message is already stripped of
// every credential the call carried (graph-client redacts it); we still never echo the code.
import { AppError } from '../../http/errors.js';
import { OutboundError } from '../../integrations/outbound-error.js';

export type ConnectStep =
  | 'code_exchange'
  | 'long_lived_exchange'
  | 'debug_token'
  | 'discover_accounts'
  | 'verify_assets'
  | 'subscribe_app'
  | 'register_number'
  | 'send_test_message'
  | 'list_templates';

const STEP_TEXT: Record<ConnectStep, string> = {
  code_exchange: 'exchanging the authorization code',
  long_lived_exchange: 'exchanging for a long-lived token',
  debug_token: 'inspecting the token (debug_token)',
  discover_accounts: 'listing the WhatsApp Business accounts and phone numbers',
  verify_assets: 'checking access to the WhatsApp Business account',
  subscribe_app: 'subscribing the app to the WhatsApp Business account webhooks',
  register_number: 'registering the phone number for the Cloud API',
  send_test_message: 'sending the test message',
  list_templates: 'listing the message templates',
};

/** Runs one Meta step; its OutboundError becomes 502 UPSTREAM_ERROR (or `clientError` when it is the caller's fault). */
export async function metaStep<T>(
  step: ConnectStep,
  call: () => Promise<T>,
  clientError?: (error: OutboundError) => AppError | undefined,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    const mapped = clientError?.(error);
    if (mapped) throw mapped;
    throw new AppError('UPSTREAM_ERROR', `Meta failed while ${STEP_TEXT[step]}: ${error.message}`, metaDetails(step, error), { cause: error });
  }
}

export function metaDetails(step: ConnectStep, error: OutboundError) {
  return { step, metaCode: error.providerCode ?? null, metaSubcode: error.providerSubcode ?? null, kind: error.kind };
}

/**
 * The code exchange fails with 100 (invalid/expired/used code, redirect_uri mismatch) or an auth
 * code: that is the caller's code, not Meta being down → 400.
 */
export function badCode(error: OutboundError): AppError | undefined {
  if (error.kind !== 'permanent' && error.kind !== 'auth') return undefined;
  return new AppError(
    'BAD_REQUEST',
    `Meta did not accept the authorization code (expired, already used, or issued for another redirect URI): ${error.message}`,
    metaDetails('code_exchange', error),
    { cause: error },
  );
}
