// GET /api/v1/whatsapp/accounts/:id/templates: the approved templates of the account's WABA, read
// live from the Graph API (they change in WhatsApp Manager), to pick a campaign's notification template.
import type { SecretBox } from '../../crypto/secret-box.js';
import type { TenantDatabase } from '../../db/tenant-scope.js';
import type { GraphClient } from '../../integrations/meta/graph-client.js';
import { listApprovedTemplates } from '../../integrations/meta/whatsapp-business.js';
import { metaStep } from '../meta-connect/meta-failure.js';
import { findAccount } from './list-accounts.js';
import { usableToken } from './send-test-message.js';

export async function listTemplates(deps: { db: TenantDatabase; secrets: SecretBox; graph: GraphClient }, accountId: string) {
  const account = await findAccount(deps.db, accountId);
  const token = usableToken(account, deps.secrets);
  const templates = await metaStep('list_templates', () => listApprovedTemplates(deps.graph, account.wabaId, token));
  return { templates };
}
