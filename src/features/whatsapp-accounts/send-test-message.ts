// POST /api/v1/whatsapp/accounts/:id/test-message {to}: proves the account can send, with ITS
// token. Inside Meta's 24-hour window only (free-form text); outside it Meta answers 131047.
import type { SecretBox } from '../../crypto/secret-box.js';
import { AppError } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { sendCloudMessage } from '../../integrations/meta/whatsapp-business.js';
import { metaStep } from '../meta-connect/meta-failure.js';
import type { TestMessageInput } from './account-input.js';
import { findAccount } from './list-accounts.js';

export async function sendTestMessage(ctx: TenantContext, { accountId, ...input }: TestMessageInput & { accountId: string }) {
  const { db, deps } = ctx;
  const account = await findAccount(db, accountId);
  const token = usableToken(account, deps.secrets);
  const tenant = await db.tenant.findUnique({ where: { id: account.tenantId }, select: { name: true } });
  const text = `Test message from ${tenant?.name ?? 'your campaigns'}: WhatsApp number ${account.displayPhoneNumber ?? account.phoneNumberId} is connected.`;
  const sent = await metaStep('send_test_message', () =>
    sendCloudMessage(deps.graph, { phoneNumberId: account.phoneNumberId, token, to: input.to, message: { type: 'text', body: text } }),
  );
  return { messageId: sent.messageId, to: input.to, from: account.displayPhoneNumber };
}

export function usableToken(account: { status: string; accessToken: string | null; displayPhoneNumber: string | null }, secrets: SecretBox): string {
  if (account.status !== 'ACTIVE' || !account.accessToken) {
    const name = account.displayPhoneNumber ? `WhatsApp account ${account.displayPhoneNumber}` : 'This WhatsApp account';
    throw new AppError('INVALID_STATE', `${name} is ${account.status}; connect it again first.`, {
      status: account.status,
    });
  }
  return secrets.open(account.accessToken);
}
