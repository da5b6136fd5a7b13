// GET /api/v1/whatsapp/accounts/:id/templates: the approved templates of the account's WABA, read
// live from the Graph API (they change in WhatsApp Manager), to pick a campaign's notification template.
import type { TenantContext } from '../../http/use-case-context.js';
import { listApprovedTemplates } from '../../integrations/meta/whatsapp-business.js';
import { metaStep } from '../meta-connect/meta-failure.js';
import { findAccount } from './list-accounts.js';
import { usableToken } from './send-test-message.js';

export async function listTemplates(ctx: TenantContext, { accountId }: { accountId: string }) {
  const { deps } = ctx;
  const account = await findAccount(ctx.db, accountId);
  const token = usableToken(account, deps.secrets);
  const templates = await metaStep('list_templates', () => listApprovedTemplates(deps.graph, account.wabaId, token));
  return { templates };
}
