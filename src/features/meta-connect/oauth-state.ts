// The `state` of the Meta login redirect: `<payload>.<mac>` (base64url), payload
// `{v:2, t: tenantId, u: admin (JWT sub), n: nonce, e: expiry (unix s)}`, mac = HMAC-SHA256 over the
// payload text. The admin is part of it so that only the admin who started a connection can finish
// it (POST /api/v1/meta/oauth/complete): a state sent to someone else's browser is worth nothing.
//
// Key: derived from JWT_SECRET with HKDF (info "meta-oauth-state/v1"), not the Meta app secret:
// JWT_SECRET is ours alone (the app secret is shared with Meta and may be absent in dev), always
// configured, and the derivation keeps the two uses apart (a state is never a valid JWT signature
// and vice versa). The signature proves we issued the state for that tenant; the nonce, stored in
// OAuthState and consumed with one conditional UPDATE, makes it single-use.
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { scopeToTenant } from '../../db/tenant-scope.js';
import { AppError } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';

export const STATE_TTL_MS = 10 * 60_000;
const MAX_STATE_LENGTH = 1024;

const payloadSchema = z.object({
  v: z.literal(2),
  t: z.string().min(1).max(100),
  u: z.string().min(1).max(200),
  n: z.string().regex(/^[\w-]{20,100}$/),
  e: z.number().int(),
});

export interface StatePayload {
  readonly tenantId: string;
  /** The tenant admin (JWT `sub`) who started the connection */
  readonly userId: string;
  readonly nonce: string;
  readonly expiresAt: Date;
}

export type StateRejection = 'malformed' | 'forged' | 'expired' | 'replayed';

const MESSAGES: Record<StateRejection, string> = {
  malformed: 'The OAuth state is missing or malformed. Start again from GET /api/v1/meta/connect.',
  forged: 'The OAuth state was not issued by this server (bad signature). Start again from GET /api/v1/meta/connect.',
  expired: 'The OAuth state has expired (it is valid for 10 minutes). Start again from GET /api/v1/meta/connect.',
  replayed: 'The OAuth state has already been used. Start again from GET /api/v1/meta/connect.',
};

export function stateError(reason: StateRejection): AppError {
  return new AppError('BAD_REQUEST', MESSAGES[reason], { reason });
}

export function createStateSigner(jwtSecret: string) {
  const key = Buffer.from(hkdfSync('sha256', jwtSecret, 'social-tasks', 'meta-oauth-state/v1', 32));
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();

  return {
    sign(payload: StatePayload): string {
      const json = JSON.stringify({
        v: 2,
        t: payload.tenantId,
        u: payload.userId,
        n: payload.nonce,
        e: Math.floor(payload.expiresAt.getTime() / 1000),
      });
      const encoded = Buffer.from(json).toString('base64url');
      return `${encoded}.${mac(encoded).toString('base64url')}`;
    },

    /** Signature and expiry; single use is checked by consumeState. */
    verify(state: unknown, now = Date.now()): StatePayload {
      if (typeof state !== 'string' || state.length === 0 || state.length > MAX_STATE_LENGTH) throw stateError('malformed');
      const parts = state.split('.');
      if (parts.length !== 2 || !parts[0] || !parts[1]) throw stateError('malformed');
      const [encoded, signature] = parts as [string, string];
      const expected = mac(encoded);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw stateError('forged');
      let parsed: z.infer<typeof payloadSchema>;
      try {
        parsed = payloadSchema.parse(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')));
      } catch {
        throw stateError('malformed');
      }
      if (parsed.e * 1000 <= now) throw stateError('expired');
      return { tenantId: parsed.t, userId: parsed.u, nonce: parsed.n, expiresAt: new Date(parsed.e * 1000) };
    },
  };
}

export type StateSigner = ReturnType<typeof createStateSigner>;

/** The connect use cases that issue or check a state also get the process's signer. */
export interface ConnectContext extends TenantContext {
  readonly signer: StateSigner;
}

/** A new single-use state for the tenant and its admin, recorded in OAuthState. */
export async function issueState(
  db: Database,
  signer: StateSigner,
  owner: { tenantId: string; userId: string },
): Promise<{ state: string; expiresAt: Date }> {
  const { tenantId, userId } = owner;
  const scoped = scopeToTenant(db, tenantId);
  const nonce = randomBytes(24).toString('base64url');
  // Whole seconds: the signed expiry and the stored one are the same instant.
  const expiresAt = new Date(Math.floor((Date.now() + STATE_TTL_MS) / 1000) * 1000);
  // Housekeeping: this tenant's states that expired a day ago cannot matter to anyone.
  await scoped.oAuthState.deleteMany({ where: { expiresAt: { lt: new Date(Date.now() - 86_400_000) } } });
  await scoped.oAuthState.create({ data: { id: nonce, tenantId, expiresAt } });
  return { state: signer.sign({ tenantId, userId, nonce, expiresAt }), expiresAt };
}

/**
 * Marks the nonce used. One conditional UPDATE: of two concurrent callbacks with the same state,
 * PostgreSQL lets exactly one match `usedAt IS NULL`.
 */
export async function consumeState(db: Database, payload: StatePayload): Promise<void> {
  const now = new Date();
  const consumed = await scopeToTenant(db, payload.tenantId).oAuthState.updateMany({
    where: { id: payload.nonce, usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
  });
  if (consumed.count === 1) return;
  const row = await scopeToTenant(db, payload.tenantId).oAuthState.findUnique({ where: { id: payload.nonce } });
  if (!row) throw stateError('forged');
  throw stateError(row.usedAt ? 'replayed' : 'expired');
}
