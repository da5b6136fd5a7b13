// PATCH /end-users/:id (tenant_admin): name and profile handles. Setting a handle binds it to this
// end user, taking it from whoever held it: that is how a tenant admin settles who owns a handle.
// Every handle move is audited on the users it touched (EndUserAuditEntry).
import { notFound } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { rebindHandle } from '../../verification/handle-binding.js';
import type { UpdateEndUserInput } from './end-user-input.js';
import { optInColumns } from './whatsapp-consent-input.js';
import { getEndUserWithAudit } from './get-end-user.js';

/** The audit names the admin of the token as the actor. */
export async function updateEndUser(ctx: TenantContext, { endUserId, changes: input }: { endUserId: string; changes: UpdateEndUserInput }) {
  const { tenantId } = ctx;
  const actorId = ctx.actor.userId;
  await ctx.deps.db.$transaction(async (tx) => {
    const user = await tx.endUser.findFirst({ where: { id: endUserId, tenantId, erasedAt: null }, select: { id: true } });
    if (!user) throw notFound('end user');
    if (input.name !== undefined) await tx.endUser.update({ where: { id: user.id }, data: { name: input.name } });
    if (input.whatsappOptIn !== undefined) {
      const consent = input.whatsappOptIn === null ? { whatsappOptedOutAt: new Date() } : optInColumns(input.whatsappOptIn);
      await tx.endUser.update({ where: { id: user.id }, data: consent });
    }
    const owner = (platform: 'INSTAGRAM' | 'FACEBOOK') => ({ tenantId, platform, endUserId: user.id });
    if (input.instagramUsername !== undefined) await rebindHandle(tx, owner('INSTAGRAM'), input.instagramUsername, actorId);
    if (input.facebookName !== undefined) await rebindHandle(tx, owner('FACEBOOK'), input.facebookName, actorId);
  });
  return getEndUserWithAudit(ctx, { endUserId });
}
