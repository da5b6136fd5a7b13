// After a Meta credentials write: record the request (a new version of the owner's subscription
// row) and start its workflow under the request deadline, so Meta's and Temporal's speed never
// hold the settings PUT. A start that did not get through is left to the sweeper
// (src/temporal/durable-start.ts), which starts every requested version not yet started.
import { Prisma } from '../generated/prisma/client.js';
import {
  leaseUnstarted,
  REQUEST_DEADLINE_MS,
  startIdempotently,
  startSweeper,
  type DurableStartKind,
  type StarterDeps,
} from '../temporal/durable-start.js';
import {
  SUBSCRIBE_WEBHOOKS_WORKFLOW_TYPE,
  webhookSubscriptionWorkflowId,
  type SubscribeWebhooksInput,
} from '../../workflows/webhook-subscription-definitions.js';
import type { subscribeMetaWebhooks } from '../../workflows/subscribe-meta-webhooks.js';
import { TENANT_ID } from '../temporal/search-attributes.js';
import { markSubscriptionStarted, ownerKeyOf, recordSubscriptionRequest, type SubscriptionOwner } from './subscription-store.js';

/** Records the request and starts the workflow; never throws for Temporal (the sweeper retries). */
export async function requestWebhookSubscription(deps: StarterDeps, owner: SubscriptionOwner, configured: boolean): Promise<void> {
  const version = await recordSubscriptionRequest(deps.db, owner, configured);
  if (version === undefined) return;
  const ownerKey = ownerKeyOf(owner);
  try {
    await startSubscriptionWorkflow(deps, { ownerKey, version }, REQUEST_DEADLINE_MS);
  } catch (error) {
    deps.logger.warn({ err: error, ownerKey }, 'could not start the webhook subscription workflow; the sweeper will');
  }
}

async function startSubscriptionWorkflow(deps: StarterDeps, input: SubscribeWebhooksInput, deadlineMs: number) {
  const tenantId = input.ownerKey.startsWith('tenant:') ? input.ownerKey.slice('tenant:'.length) : undefined;
  const outcome = await startIdempotently(deps.temporal, deadlineMs, () =>
    deps.temporal.workflow.start<typeof subscribeMetaWebhooks>(SUBSCRIBE_WEBHOOKS_WORKFLOW_TYPE, {
      workflowId: webhookSubscriptionWorkflowId(input),
      taskQueue: deps.config.temporal.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      ...(tenantId ? { typedSearchAttributes: [{ key: TENANT_ID, value: tenantId }] } : {}),
      staticSummary: `Meta webhook subscription of ${input.ownerKey} (v${input.version})`,
    }),
  );
  await markSubscriptionStarted(deps.db, input.ownerKey, input.version);
  return outcome;
}

interface UnstartedSubscription {
  readonly id: string;
  readonly ownerKey: string;
  readonly requestedVersion: number;
}

/** Requested versions whose workflow start was never confirmed. */
export const unstartedSubscriptions: DurableStartKind<UnstartedSubscription> = {
  name: 'webhook subscription',
  lease: (db, options) =>
    leaseUnstarted<UnstartedSubscription>(
      db,
      {
        table: 'MetaWebhookSubscription',
        unstarted: Prisma.sql`"startedVersion" < "requestedVersion"`,
        writtenAt: 'requestedAt',
        returning: Prisma.sql`t.id, t."ownerKey", t."requestedVersion"`,
      },
      options,
    ),
  start: (deps, row, deadlineMs) => startSubscriptionWorkflow(deps, { ownerKey: row.ownerKey, version: row.requestedVersion }, deadlineMs),
};

/** Sweeps every `intervalMs` until stopped. */
export function startSubscriptionSweeper(deps: StarterDeps, intervalMs = 60_000): { stop(): void } {
  return startSweeper(deps, unstartedSubscriptions, { graceMs: 30_000, intervalMs });
}
