// Send a verified claim's notification now, ignoring the campaign's window.
import { isNotificationAhead } from '../../../domain/statuses.js';
import { AppError } from '../../../http/errors.js';
import type { TenantContext } from '../../../http/use-case-context.js';
import { requestNotifyNow } from '../../../temporal/claim-signals.js';
import { toClaimView } from '../claim-view.js';
import { findClaimOr404 } from './get-claim.js';
import { signalClaimWorkflow } from './signal-claim.js';

export async function notifyClaimNow(ctx: TenantContext, { claimId }: { claimId: string }) {
  const { deps, db } = ctx;
  const claim = await findClaimOr404(db, claimId);
  if (claim.status !== 'VERIFIED' || !isNotificationAhead(claim.notificationStatus)) {
    throw new AppError('INVALID_STATE', 'only a verified claim whose notification has not been sent yet can be notified now', {
      status: claim.status,
      notificationStatus: claim.notificationStatus,
    });
  }
  await signalClaimWorkflow(deps, claim, (workflowId) => requestNotifyNow(deps, workflowId));
  return toClaimView(await findClaimOr404(db, claimId));
}
