// PATCH /end-users/:id (tenant_admin): name and profile handles. Setting a handle binds it to this
// end user, taking it from whoever held it: that is how a tenant admin settles who owns a handle.
// Every handle move is audited on the users it touched (EndUserAuditEntry).
import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { notFound } from '../../http/errors.js';
import { parseInput } from '../../http/validation.js';
import { rebindHandle } from '../../verification/handle-binding.js';
import { facebookNameField, instagramUsernameField } from './create-end-user.js';
import { getEndUserWithAudit } from './get-end-user.js';

const updateEndUserSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    // null unbinds the handle from this user
    instagramUsername: instagramUsernameField.nullable().optional(),
    facebookName: facebookNameField.nullable().optional(),
  })
  .strict();

export async function updateEndUser(db: Database, principal: { tenantId: string; actorId: string }, endUserId: string, body: unknown) {
  const { tenantId, actorId } = principal;
  const input = parseInput(updateEndUserSchema, body);
  await db.$transaction(async (tx) => {
    const user = await tx.endUser.findFirst({ where: { id: endUserId, tenantId }, select: { id: true } });
    if (!user) throw notFound('end user');
    if (input.name !== undefined) await tx.endUser.update({ where: { id: user.id }, data: { name: input.name } });
    const owner = (platform: 'INSTAGRAM' | 'FACEBOOK') => ({ tenantId, platform, endUserId: user.id });
    if (input.instagramUsername !== undefined) await rebindHandle(tx, owner('INSTAGRAM'), input.instagramUsername, actorId);
    if (input.facebookName !== undefined) await rebindHandle(tx, owner('FACEBOOK'), input.facebookName, actorId);
  });
  return getEndUserWithAudit(db, tenantId, endUserId);
}
