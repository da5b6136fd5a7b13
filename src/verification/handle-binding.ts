// A handle belongs to one end user per tenant and platform. The first claim (or profile) naming it
// binds it; another end user naming it is refused (HANDLE_TAKEN), so typing the handle of whoever
// commented does not collect their reward. The unique key on (tenant, platform, handle) decides
// races. Only a tenant admin moves a handle (rebindHandle), and that is audited on both users.
import type { Database } from '../db/client.js';
import type { SocialPlatform } from './outcome.js';
import { normalizeHandle } from './handle-match.js';

export type Transaction = Parameters<Parameters<Database['$transaction']>[0]>[0];
type Db = Database | Transaction;

export interface HandleOwner {
  readonly tenantId: string;
  readonly platform: SocialPlatform;
  readonly endUserId: string;
}

/** The profile column that holds the user's handle on the platform, where there is one. */
export function profileField(platform: SocialPlatform): 'instagramUsername' | 'facebookName' | undefined {
  if (platform === 'INSTAGRAM') return 'instagramUsername';
  if (platform === 'FACEBOOK') return 'facebookName';
  return undefined;
}

/**
 * Binds `rawHandle` to the end user unless another end user holds it. Returns the owner's id
 * (the caller's when bound or already theirs). Fills the profile field when it is empty.
 */
export async function bindHandle(db: Db, owner: HandleOwner, rawHandle: string): Promise<{ bound: boolean; ownerId: string; handle: string }> {
  const handle = normalizeHandle(rawHandle);
  if (!handle) throw new Error('bindHandle needs a non-empty handle');
  const { tenantId, platform, endUserId } = owner;
  await db.endUserHandle.createMany({ data: [{ tenantId, platform, handle, endUserId }], skipDuplicates: true });
  const holder = await db.endUserHandle.findUniqueOrThrow({
    where: { tenantId_platform_handle: { tenantId, platform, handle } },
    select: { endUserId: true },
  });
  if (holder.endUserId !== endUserId) return { bound: false, ownerId: holder.endUserId, handle };
  const field = profileField(platform);
  if (field) await db.endUser.updateMany({ where: { id: endUserId, tenantId, [field]: null }, data: { [field]: storedForm(platform, rawHandle) } });
  return { bound: true, ownerId: endUserId, handle };
}

/**
 * A tenant admin moves `rawHandle` to the end user (taking it from whoever held it) and sets it as
 * their profile handle, replacing the binding of their previous profile handle. Audited.
 */
export async function rebindHandle(tx: Transaction, owner: HandleOwner, rawHandle: string | null, actorId: string): Promise<void> {
  const { tenantId, platform, endUserId } = owner;
  const field = profileField(platform);
  if (!field) throw new Error(`no profile handle on ${platform}`);
  const user = await tx.endUser.findFirstOrThrow({ where: { id: endUserId, tenantId } });
  const previous = normalizeHandle(user[field]);
  const handle = normalizeHandle(rawHandle);
  if (previous === handle) {
    await tx.endUser.update({ where: { id: endUserId }, data: { [field]: rawHandle === null ? null : storedForm(platform, rawHandle) } });
    return;
  }
  if (previous) {
    await tx.endUserHandle.deleteMany({ where: { tenantId, platform, handle: previous, endUserId } });
    await audit(tx, owner, actorId, 'HANDLE_UNBOUND', { platform, handle: previous });
  }
  if (handle) {
    const holder = await tx.endUserHandle.findUnique({ where: { tenantId_platform_handle: { tenantId, platform, handle } } });
    if (holder && holder.endUserId !== endUserId) {
      await tx.endUserHandle.delete({ where: { id: holder.id } });
      await audit(tx, { ...owner, endUserId: holder.endUserId }, actorId, 'HANDLE_UNBOUND', { platform, handle, movedTo: endUserId });
      const formerOwner = await tx.endUser.findFirstOrThrow({ where: { id: holder.endUserId, tenantId } });
      if (normalizeHandle(formerOwner[field]) === handle) await tx.endUser.update({ where: { id: formerOwner.id }, data: { [field]: null } });
    }
    await tx.endUserHandle.createMany({ data: [{ tenantId, platform, handle, endUserId }], skipDuplicates: true });
    await audit(tx, owner, actorId, 'HANDLE_BOUND', {
      platform,
      handle,
      ...(holder && holder.endUserId !== endUserId ? { previousOwner: holder.endUserId } : {}),
    });
  }
  await tx.endUser.update({ where: { id: endUserId }, data: { [field]: rawHandle === null || !handle ? null : storedForm(platform, rawHandle) } });
}

/** Instagram usernames are stored bare and lowercase (as POST /end-users does); names as typed. */
function storedForm(platform: SocialPlatform, rawHandle: string): string {
  const trimmed = rawHandle.trim();
  return platform === 'INSTAGRAM' ? trimmed.replace(/^@+/, '').toLowerCase() : trimmed;
}

async function audit(tx: Transaction, owner: HandleOwner, actorId: string, action: string, changes: Record<string, string>): Promise<void> {
  await tx.endUserAuditEntry.create({ data: { tenantId: owner.tenantId, endUserId: owner.endUserId, action, changes, actorId } });
}
