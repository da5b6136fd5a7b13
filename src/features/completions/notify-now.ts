// Send a verified claim's notification now, ignoring the campaign's window.
import { isNotificationAhead } from '../../domain/statuses.js';
import { AppError } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { requestNotifyNow } from '../../temporal/claim-signals.js';
import { toCompletionView } from './completion-view.js';
import { findCompletionOr404 } from './get-completion.js';
import { signalClaimWorkflow } from './signal-claim.js';

export async function notifyCompletionNow(ctx: TenantContext, { completionId }: { completionId: string }) {
  const { deps, db } = ctx;
  const completion = await findCompletionOr404(db, completionId);
  if (completion.status !== 'VERIFIED' || !isNotificationAhead(completion.notificationStatus)) {
    throw new AppError('INVALID_STATE', 'only a verified claim whose notification has not been sent yet can be notified now', {
      status: completion.status,
      notificationStatus: completion.notificationStatus,
    });
  }
  await signalClaimWorkflow(deps, completion, (workflowId) => requestNotifyNow(deps, workflowId));
  return toCompletionView(await findCompletionOr404(db, completionId));
}
