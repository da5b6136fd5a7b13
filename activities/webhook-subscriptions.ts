// The webhook-subscription workflow's I/O: load the owner's Meta credentials (never in workflow
// input or history), subscribe them (src/webhook-subscriptions/subscribe-owner.ts), and record the
// outcome on the owner's row. Meta unavailable or throttling: the row says "retrying" and the
// activity fails retryably; a refusal is an outcome, recorded at once.
import { Context } from '@temporalio/activity';
import { graphClientFromConfig } from '../src/integrations/meta/graph-client-from-config.js';
import { OutboundError } from '../src/integrations/outbound-error.js';
import { subscribeOwner, type SubscribableConfig } from '../src/webhook-subscriptions/subscribe-owner.js';
import { isCurrentRequest, recordSubscriptionOutcome, recordSubscriptionRetrying } from '../src/webhook-subscriptions/subscription-store.js';
import type { SubscribeWebhooksInput } from '../workflows/webhook-subscription-definitions.js';
import type { ActivityDeps } from './deps.js';
import { toActivityFailure } from '../src/worker/activity-failures.js';

export function createWebhookSubscriptionActivities({ config, db, secrets }: Pick<ActivityDeps, 'config' | 'db' | 'secrets'>) {
  const graph = graphClientFromConfig(config);

  async function loadConfig(ownerKey: string): Promise<SubscribableConfig | null> {
    const sealed =
      ownerKey === 'platform'
        ? (await db.platformSettings.findUnique({ where: { id: 1 } }))?.metaConfig
        : (await db.tenant.findUnique({ where: { id: ownerKey.slice('tenant:'.length) } }))?.metaConfig;
    return sealed ? secrets.openJson<SubscribableConfig>(sealed) : null;
  }

  return {
    async subscribeOwnerWebhooks({ ownerKey, version }: SubscribeWebhooksInput): Promise<{ status: string } | { stale: true }> {
      if (!(await isCurrentRequest(db, ownerKey, version))) return { stale: true };
      try {
        const outcome = await subscribeOwner(graph, await loadConfig(ownerKey));
        await recordSubscriptionOutcome(db, ownerKey, version, outcome);
        return { status: outcome.status };
      } catch (error) {
        const reason = error instanceof OutboundError ? error.message : error instanceof Error ? error.message : String(error);
        await recordSubscriptionRetrying(db, ownerKey, version, `${reason} (attempt ${Context.current().info.attempt})`);
        throw toActivityFailure(error, 'Meta webhook subscription');
      }
    },

    /** Retries ran out (a day of Meta failing): FAILED with the last reason, until the next request. */
    async recordWebhookSubscriptionGaveUp({ ownerKey, version }: SubscribeWebhooksInput, reason: string): Promise<void> {
      await recordSubscriptionOutcome(db, ownerKey, version, { status: 'FAILED', error: `gave up retrying: ${reason}`, items: [] });
    },
  };
}
