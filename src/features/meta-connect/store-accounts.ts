// The only writes of a connect, in one transaction after every Meta call has succeeded: a Meta
// error earlier leaves the database as it was. One WhatsappAccount per phone number (unique
// phoneNumberId), upserted: a reconnect replaces the token and revives NEEDS_REAUTH/DISCONNECTED.
//
// This runs on the unscoped client on purpose: phoneNumberId is unique across tenants, so the
// write must see another tenant's row to refuse it (409) instead of failing on the unique key.
// Only rows of `tenantId` are ever updated; a DISCONNECTED row of another tenant (its token is
// already wiped) is deleted and the number starts afresh for the new tenant, so numbers can move
// between tenants without ever moving a row (and that tenant's campaign references) across.
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Database } from '../../db/client.js';
import { AppError } from '../../http/errors.js';
import type { GrantedToken } from './obtain-token.js';
import type { NumberToConnect } from './find-numbers.js';

const LOCK_WAIT = '30s';

export function ownedElsewhere(phoneNumber: string): AppError {
  return new AppError(
    'CONFLICT',
    `WhatsApp number ${phoneNumber} is already connected to another tenant. It must be disconnected there before it can be connected here.`,
  );
}

/** Before any side effect at Meta (subscribe/register): refuse numbers another tenant holds. */
export async function assertNotConnectedElsewhere(db: Database, tenantId: string, numbers: readonly NumberToConnect[]): Promise<void> {
  const rows = await db.whatsappAccount.findMany({
    where: { phoneNumberId: { in: numbers.map((number) => number.phone.id) }, tenantId: { not: tenantId }, status: { not: 'DISCONNECTED' } },
    select: { phoneNumberId: true, displayPhoneNumber: true },
  });
  const first = rows[0];
  if (first) throw ownedElsewhere(first.displayPhoneNumber ?? first.phoneNumberId);
}

export async function storeAccounts(
  deps: { db: Database; secrets: SecretBox },
  tenantId: string,
  granted: GrantedToken,
  numbers: readonly NumberToConnect[],
) {
  const { db, secrets } = deps;
  return db.$transaction(
    async (tx) => {
      // Row locks serialize us with a running token refresh of the same account (it holds the row
      // for its whole check-exchange-store) and with a concurrent connect of the same number.
      await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '${LOCK_WAIT}'`);
      const stored = [];
      for (const { wabaId, phone } of numbers) {
        await tx.$queryRaw`SELECT "id" FROM "WhatsappAccount" WHERE "phoneNumberId" = ${phone.id} FOR UPDATE`;
        const current = await tx.whatsappAccount.findUnique({ where: { phoneNumberId: phone.id } });
        const now = new Date();
        const data = {
          wabaId,
          displayPhoneNumber: phone.displayPhoneNumber || null,
          verifiedName: phone.verifiedName || null,
          qualityRating: phone.qualityRating,
          // Each row seals its own copy: accounts refresh (and so replace) their tokens independently.
          accessToken: secrets.seal(granted.accessToken),
          tokenExpiresAt: granted.info.expiresAt,
          dataAccessExpiresAt: granted.info.dataAccessExpiresAt,
          scopes: granted.info.scopes,
          status: 'ACTIVE' as const,
          statusReason: null,
          lastRefreshError: null,
        };
        if (current && current.tenantId !== tenantId) {
          if (current.status !== 'DISCONNECTED') throw ownedElsewhere(current.displayPhoneNumber ?? current.phoneNumberId);
          await tx.whatsappAccount.delete({ where: { id: current.id } });
        }
        if (current && current.tenantId === tenantId) {
          const revivedFromDisconnect = current.status === 'DISCONNECTED';
          stored.push(
            await tx.whatsappAccount.update({
              where: { id: current.id },
              data: { ...data, ...(revivedFromDisconnect ? { connectedAt: now, lastRefreshedAt: null } : {}) },
            }),
          );
        } else {
          stored.push(await tx.whatsappAccount.create({ data: { ...data, tenantId, phoneNumberId: phone.id, connectedAt: now } }));
        }
      }
      return stored;
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}
