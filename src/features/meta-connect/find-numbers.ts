// Which phone numbers a connect stores: every number of every WABA the token was granted
// (redirect flow), or exactly the one the Embedded Signup popup reported, after checking with the
// Graph API that this token can see it (the browser's word alone is not proof).
import type { GraphClient } from '../../integrations/meta/graph-client.js';
import { graphIdSegment } from '../../integrations/meta/graph-ids.js';
import type { DebugTokenInfo } from '../../integrations/meta/oauth.js';
import {
  discoverWhatsappAccounts,
  listPhoneNumbers,
  whatsappAccountIdsFromScopes,
  type WhatsappPhoneNumber,
} from '../../integrations/meta/whatsapp-business.js';
import type { OutboundError } from '../../integrations/outbound-error.js';
import { AppError } from '../../http/errors.js';
import { metaDetails, metaStep } from './meta-failure.js';

export interface NumberToConnect {
  readonly wabaId: string;
  readonly phone: WhatsappPhoneNumber;
}

export async function discoverNumbers(graph: GraphClient, token: string, info: DebugTokenInfo): Promise<NumberToConnect[]> {
  const accounts = await metaStep('discover_accounts', () => discoverWhatsappAccounts(graph, token, info));
  if (accounts.length === 0) {
    throw new AppError(
      'BAD_REQUEST',
      'The Meta authorization did not grant access to any WhatsApp Business account. Connect again and select the WhatsApp Business account in the Meta dialog.',
      { step: 'discover_accounts' },
    );
  }
  const numbers = accounts.flatMap((account) => account.phoneNumbers.map((phone) => ({ wabaId: account.wabaId, phone })));
  if (numbers.length === 0) {
    throw new AppError(
      'BAD_REQUEST',
      'The granted WhatsApp Business account(s) have no phone number yet. Add one in WhatsApp Manager, then connect again.',
      {
        step: 'discover_accounts',
        wabaIds: accounts.map((account) => account.wabaId),
      },
    );
  }
  return numbers;
}

export async function verifySelectedNumber(
  graph: GraphClient,
  token: string,
  info: DebugTokenInfo,
  selected: { wabaId: string; phoneNumberId: string },
): Promise<NumberToConnect[]> {
  const granted = whatsappAccountIdsFromScopes(info);
  // Tokens that list their WABAs must list this one; otherwise the Graph calls below decide.
  if (granted.length > 0 && !granted.includes(selected.wabaId)) {
    throw new AppError('BAD_REQUEST', `The token Meta issued does not grant WhatsApp Business account ${selected.wabaId}.`, {
      step: 'verify_assets',
      grantedWabaIds: granted,
    });
  }
  const noAccess = (error: OutboundError) =>
    error.kind === 'permanent' || error.kind === 'auth'
      ? new AppError(
          'BAD_REQUEST',
          `The token Meta issued cannot access WhatsApp Business account ${selected.wabaId}: ${error.message}`,
          metaDetails('verify_assets', error),
          { cause: error },
        )
      : undefined;
  await metaStep(
    'verify_assets',
    () => graph.get<{ id: string }>(`/${graphIdSegment(selected.wabaId, 'WABA id')}`, { fields: 'id,name' }, token),
    noAccess,
  );
  const phones = await metaStep('verify_assets', () => listPhoneNumbers(graph, selected.wabaId, token), noAccess);
  const phone = phones.find((candidate) => candidate.id === selected.phoneNumberId);
  if (!phone) {
    throw new AppError('BAD_REQUEST', `Phone number ${selected.phoneNumberId} is not a number of WhatsApp Business account ${selected.wabaId}.`, {
      step: 'verify_assets',
    });
  }
  return [{ wabaId: selected.wabaId, phone }];
}
