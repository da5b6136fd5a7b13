import { AppError } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { bindHandle } from '../../verification/handle-binding.js';
import type { CreateEndUserInput } from './end-user-input.js';
import { optInColumns } from './whatsapp-consent-input.js';
import { toEndUserView } from './end-user-view.js';

/** The user and the bindings of their profile handles, in one transaction: a taken handle writes nothing. */
export async function createEndUser(ctx: TenantContext, input: CreateEndUserInput) {
  // The unscoped client with the tenant written out: the handle bindings run in the same transaction.
  const { tenantId } = ctx;
  const db = ctx.deps.db;
  try {
    const user = await db.$transaction(async (tx) => {
      const { whatsappOptIn, ...fields } = input;
      const consent = whatsappOptIn ? optInColumns(whatsappOptIn) : {};
      const created = await tx.endUser.create({ data: { ...fields, ...consent, tenantId } });
      const profile = [
        ['INSTAGRAM', input.instagramUsername],
        ['FACEBOOK', input.facebookName],
      ] as const;
      for (const [platform, handle] of profile) {
        if (!handle) continue;
        const binding = await bindHandle(tx, { tenantId, platform, endUserId: created.id }, handle);
        if (!binding.bound) {
          throw new AppError('HANDLE_TAKEN', `the ${platform.toLowerCase()} handle "${binding.handle}" belongs to another end user of this tenant`, {
            field: platform === 'INSTAGRAM' ? 'instagramUsername' : 'facebookName',
            platform,
          });
        }
      }
      return created;
    });
    return toEndUserView(user, 0);
  } catch (error) {
    // Unique per tenant: the same phone at another tenant is another person's account there.
    if ((error as { code?: string }).code === 'P2002') {
      throw new AppError('CONFLICT', 'an end user with this phone already exists', { field: 'phone' }, { cause: error });
    }
    throw error;
  }
}
