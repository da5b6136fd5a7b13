// One failure taxonomy for Temporal retry policies. Integration errors (OutboundError) become:
//   rate_limited → retryable 'RateLimited' with nextRetryDelay = the provider's own signal
//   transient    → retryable 'Transient' (the activity's backoff applies)
//   permanent    → non-retryable 'Permanent'
// 'auth' and 'ambiguous' are decided by each activity (they change what the workflow does next),
// so they never reach here.
import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from '../domain/failure-types.js';
import { OutboundError } from '../integrations/outbound-error.js';

/** Upper bound on a provider-requested delay, so a bogus header cannot park a claim for days. */
const MAX_PROVIDER_DELAY_MS = 60 * 60_000;

export function toActivityFailure(error: unknown, context: string): ApplicationFailure {
  if (error instanceof OutboundError) {
    const message = `${context}: ${error.message}`;
    if (error.kind === 'rate_limited') {
      return ApplicationFailure.create({
        type: FailureType.RateLimited,
        message,
        cause: error,
        ...(error.retryAfterMs !== undefined ? { nextRetryDelay: Math.min(Math.max(error.retryAfterMs, 1_000), MAX_PROVIDER_DELAY_MS) } : {}),
        details: [{ providerCode: error.providerCode ?? null, status: error.status ?? null }],
      });
    }
    if (error.kind === 'permanent') {
      return ApplicationFailure.create({ type: FailureType.Permanent, message, nonRetryable: true, cause: error });
    }
    return ApplicationFailure.create({ type: FailureType.Transient, message, cause: error });
  }
  return ApplicationFailure.create({
    type: FailureType.Transient,
    message: `${context}: ${error instanceof Error ? error.message : String(error)}`,
    cause: error instanceof Error ? error : undefined,
  });
}
