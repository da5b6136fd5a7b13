// A handle belongs to one end user per tenant and platform, and an end user has one handle per
// tenant and platform. The first claim (or profile) naming it binds it; another end user naming it
// is refused (HANDLE_TAKEN), so typing the handle of whoever commented does not collect their
// reward, and an end user who already has a handle cannot bind a second one (HANDLE_MISMATCH), so
// nobody collects many strangers' comments or locks their owners out. The unique keys on
// (tenant, platform, handle) and (tenant, platform, end user) decide races. Only a tenant admin
// moves a handle (rebindHandle), and that is audited on every user it touches.
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

export type BindResult =
  /** The handle is the end user's (just bound, or already theirs). */
  | { readonly bound: true; readonly handle: string }
  /** Another end user of the tenant holds the handle. */
  | { readonly bound: false; readonly why: 'taken'; readonly handle: string }
  /** The end user already holds another handle on this platform (`boundHandle`). */
  | { readonly bound: false; readonly why: 'mismatch'; readonly handle: string; readonly boundHandle: string };

/** The handle the end user holds on the platform, if any (normalised). */
export async function boundHandleOf(db: Db, owner: HandleOwner): Promise<string | undefined> {
  const { tenantId, platform, endUserId } = owner;
  const binding = await db.endUserHandle.findFirst({ where: { tenantId, platform, endUserId }, select: { handle: true } });
  return binding?.handle;
}

/**
 * Binds `rawHandle` to the end user unless another end user holds it or the end user already holds
 * another handle on the platform. Fills the profile field when it is empty.
 */
export async function bindHandle(db: Db, owner: HandleOwner, rawHandle: string): Promise<BindResult> {
  const handle = normalizeHandle(rawHandle);
  if (!handle) throw new Error('bindHandle needs a non-empty handle');
  const { tenantId, platform, endUserId } = owner;
  // Skipped when either key is taken: the handle by someone (maybe us), or our one slot by another handle.
  await db.endUserHandle.createMany({ data: [{ tenantId, platform, handle, endUserId }], skipDuplicates: true });
  const holder = await db.endUserHandle.findUnique({
    where: { tenantId_platform_handle: { tenantId, platform, handle } },
    select: { endUserId: true },
  });
  if (holder && holder.endUserId !== endUserId) return { bound: false, why: 'taken', handle };
  if (!holder) {
    const boundHandle = await boundHandleOf(db, owner);
    if (!boundHandle) throw new Error(`binding ${platform} handle of end user ${endUserId} was skipped but no binding exists`);
    return { bound: false, why: 'mismatch', handle, boundHandle };
  }
  const field = profileField(platform);
  if (field) await db.endUser.updateMany({ where: { id: endUserId, tenantId, [field]: null }, data: { [field]: storedForm(platform, rawHandle) } });
  return { bound: true, handle };
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
  // The user's one binding on the platform (their profile handle, or one a claim bound) makes room.
  for (const binding of await tx.endUserHandle.findMany({ where: { tenantId, platform, endUserId, NOT: { handle: handle ?? '' } } })) {
    await tx.endUserHandle.delete({ where: { id: binding.id } });
    await audit(tx, owner, actorId, 'HANDLE_UNBOUND', { platform, handle: binding.handle });
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
