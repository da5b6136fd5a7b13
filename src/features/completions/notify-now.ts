// Send a verified claim's notification now, ignoring the campaign's window.
import { scopeToTenant } from '../../db/tenant-scope.js';
import type { AppDeps } from '../../http/deps.js';
import { isNotificationAhead } from '../../domain/statuses.js';
import { AppError } from '../../http/errors.js';
import { requestNotifyNow } from '../../temporal/claim-signals.js';
import { toCompletionView } from './completion-view.js';
import { findCompletionOr404 } from './get-completion.js';
import { signalClaimWorkflow } from './signal-claim.js';

export async function notifyCompletionNow(deps: AppDeps, tenantId: string, completionId: string) {
  const db = scopeToTenant(deps.db, tenantId);
  const completion = await findCompletionOr404(db, completionId);
  if (completion.status !== 'VERIFIED' || !isNotificationAhead(completion.notificationStatus)) {
    throw new AppError(
      'INVALID_STATE',
      'only a verified claim whose notification has not been sent yet can be notified now',
      { status: completion.status, notificationStatus: completion.notificationStatus },
    );
  }
  await signalClaimWorkflow(deps, completion, (workflowId) => requestNotifyNow(deps, workflowId));
  return toCompletionView(await findCompletionOr404(db, completionId));
}
