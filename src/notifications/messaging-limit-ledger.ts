// WhatsApp's messaging limit, kept by us (meta-apis reference §4.3, §4.5a): a business portfolio may
// reach only so many unique users outside a customer-service window in a moving 24 h (250 for a new
// portfolio, then 2,000 / 10,000 / 100,000 / unlimited), shared by all of its numbers. Meta returns no
// error for going over (it stops delivering), so we budget recipients ourselves and a notification
// that would exceed it waits (reason MESSAGING_LIMIT) until the oldest counted recipient leaves the
// window, or until the limit is raised.
//
// The ledger has one row per (portfolio, recipient): counted once per 24 h, whatever the number of
// messages. Taking a slot runs under a transaction-scoped advisory lock per portfolio, so two
// workers can never both take the last slot; times come from the database's clock, the one clock
// every worker shares (in UTC, as Prisma stores timestamps).
import type { Database } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';

export const MESSAGING_LIMIT_WINDOW_MS = 24 * 60 * 60_000;

/** Meta's tier names (whatsapp_business_manager_messaging_limit) → limit; null = unlimited; undefined = not a tier we know. */
export function messagingLimitOfTier(tier: string): number | null | undefined {
  const normalized = tier.trim().toUpperCase();
  if (normalized === 'TIER_UNLIMITED' || normalized === 'UNLIMITED') return null;
  const match = /^TIER_(\d+)(K?)$/.exec(normalized);
  if (!match) return undefined;
  return Number(match[1]) * (match[2] === 'K' ? 1_000 : 1);
}

export type SlotDecision =
  /** May send; `countedAt` is set when this call counted the recipient (to give it back if nothing went out) */
  | { readonly kind: 'free'; readonly countedAt: Date | null }
  /** The portfolio's budget is spent: wait until `notBefore` (the oldest counted recipient leaves the window) */
  | { readonly kind: 'full'; readonly notBefore: Date; readonly limit: number };

interface LedgerRow {
  recipient_counted: Date | null;
  used: bigint;
  oldest: Date | null;
  now: Date;
}

const lockKey = (businessId: string) => `messaging-limit:${businessId}`;

/** The ledger as one read sees it: whether the recipient is counted, how many are, the oldest, the clock. */
const ledgerSelect = (businessId: string, recipient: string) => Prisma.sql`
    SELECT
      (SELECT "countedAt" FROM "MessagingLimitRecipient"
        WHERE "businessId" = ${businessId} AND "recipient" = ${recipient} AND "countedAt" > (now() AT TIME ZONE 'UTC') - interval '24 hours') AS recipient_counted,
      (SELECT count(*) FROM "MessagingLimitRecipient" WHERE "businessId" = ${businessId} AND "countedAt" > (now() AT TIME ZONE 'UTC') - interval '24 hours') AS used,
      (SELECT min("countedAt") FROM "MessagingLimitRecipient" WHERE "businessId" = ${businessId} AND "countedAt" > (now() AT TIME ZONE 'UTC') - interval '24 hours') AS oldest,
      date_trunc('milliseconds', now() AT TIME ZONE 'UTC') AS now`;

async function readLedger(db: Pick<Database, '$queryRaw'>, businessId: string, recipient: string): Promise<LedgerRow> {
  const [row] = await db.$queryRaw<LedgerRow[]>`${ledgerSelect(businessId, recipient)}`;
  return row!;
}

function decide(row: LedgerRow, limit: number): SlotDecision | 'count' {
  if (row.recipient_counted) return { kind: 'free', countedAt: null };
  if (Number(row.used) < limit) return 'count';
  const oldest = row.oldest ?? row.now;
  return { kind: 'full', notBefore: new Date(oldest.getTime() + MESSAGING_LIMIT_WINDOW_MS), limit };
}

/** Whether a send to `recipient` would fit now, without counting it (for planning). */
export async function peekSlot(db: Database, businessId: string, recipient: string, limit: number): Promise<SlotDecision> {
  const decision = decide(await readLedger(db, businessId, recipient), limit);
  return decision === 'count' ? { kind: 'free', countedAt: null } : decision;
}

/**
 * One take at a time per portfolio within this process: the others wait here, not in a database
 * transaction, so a burst of sends to one portfolio holds one pooled connection, not all of them.
 * (Across processes the advisory lock decides.)
 */
const takesInFlight = new Map<string, Promise<unknown>>();

function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = takesInFlight.get(key) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.catch(() => undefined);
  takesInFlight.set(key, settled);
  void settled.then(() => {
    if (takesInFlight.get(key) === settled) takesInFlight.delete(key);
  });
  return next;
}

/** Counts `recipient` against the portfolio if it fits (or is already counted in the window). */
export async function takeSlot(db: Database, businessId: string, recipient: string, limit: number): Promise<SlotDecision> {
  return oneAtATime(businessId, () => takeSlotNow(db, businessId, recipient, limit));
}

/** The take itself, as a process that has no other take of this portfolio in flight does it (tests call it concurrently, as separate workers would). */
export async function takeSlotNow(db: Database, businessId: string, recipient: string, limit: number): Promise<SlotDecision> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${lockKey(businessId)}))`;
      // The read and, when decide() says "count", the count, in one statement: the INSERT's
      // condition is decide()'s, on the same row.
      const [row] = await tx.$queryRaw<LedgerRow[]>`
        WITH ledger AS (${ledgerSelect(businessId, recipient)}),
        counted AS (
          INSERT INTO "MessagingLimitRecipient" ("businessId", "recipient", "countedAt")
          SELECT ${businessId}, ${recipient}, ledger.now FROM ledger WHERE ledger.recipient_counted IS NULL AND ledger.used < ${limit}
          ON CONFLICT ("businessId", "recipient") DO UPDATE SET "countedAt" = EXCLUDED."countedAt")
        SELECT * FROM ledger`;
      const decision = decide(row!, limit);
      return decision === 'count' ? { kind: 'free', countedAt: row!.now } : decision;
      // Other processes' takes of this portfolio may hold the lock for a moment.
    },
    { maxWait: 10_000, timeout: 15_000 },
  );
}

/** Meta's answer proved nothing went out: the recipient this call counted is given back. */
export async function releaseSlot(db: Database, businessId: string, recipient: string, countedAt: Date): Promise<void> {
  await db.messagingLimitRecipient.deleteMany({ where: { businessId, recipient, countedAt } });
}

/** Recipients counted against the portfolio in the moving 24 h (the account view's messagingUsed24h). */
export async function usedIn24h(db: Database, businessId: string): Promise<number> {
  const [row] = await db.$queryRaw<{ used: bigint }[]>`
    SELECT count(*) AS used FROM "MessagingLimitRecipient" WHERE "businessId" = ${businessId} AND "countedAt" > (now() AT TIME ZONE 'UTC') - interval '24 hours'`;
  return Number(row?.used ?? 0);
}

/**
 * Stores the portfolio's limit as Meta reports it. Returns whether it was raised (more room than
 * before, or now unlimited): the notifications waiting for it may go at once.
 */
export async function storePortfolioLimit(db: Database, businessId: string, tier: string, limit: number | null): Promise<{ raised: boolean }> {
  const before = await db.whatsappPortfolio.findUnique({ where: { id: businessId }, select: { messagingLimit: true } });
  await db.whatsappPortfolio.upsert({
    where: { id: businessId },
    create: { id: businessId, messagingLimit: limit, messagingLimitTier: tier, refreshedAt: new Date() },
    update: { messagingLimit: limit, messagingLimitTier: tier, refreshedAt: new Date() },
  });
  const previous = before?.messagingLimit;
  const raised = before !== null && previous !== null && previous !== undefined && (limit === null || limit > previous);
  return { raised };
}
