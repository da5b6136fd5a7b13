// What subscribing one owner's Meta credentials means:
//  - Facebook Page (facebookPageId + a Page token): POST /{page-id}/subscribed_apps with
//    subscribed_fields=feed, which installs the app on the Page (comments and reactions arrive);
//  - Instagram account: Meta delivers its `comments`/`mentions` webhooks only while the Facebook
//    Page connected to it has the app installed, so it is subscribed through that Page: the Page
//    above, if its `instagram_business_account` is this account. Without Page credentials, or
//    with a Page connected to another account, it is FAILED with what to do.
// Throws OutboundError for what may pass (Meta down, throttling): the caller retries.
import type { GraphClient } from '../integrations/meta/graph-client.js';
import { connectedInstagramAccount, PAGE_WEBHOOK_FIELDS, subscribePageToApp } from '../integrations/meta/page-subscriptions.js';
import { OutboundError } from '../integrations/outbound-error.js';
import type { SubscriptionItem, SubscriptionStatus } from './subscription-store.js';

export interface SubscribableConfig {
  readonly facebookPageId?: string | undefined;
  readonly facebookToken?: string | undefined;
  readonly instagramAccountId?: string | undefined;
}

export const INSTAGRAM_WEBHOOK_FIELDS = ['comments', 'mentions'] as const;

export function hasSubscribableAccount(config: SubscribableConfig | null): boolean {
  return Boolean(config && ((config.facebookPageId && config.facebookToken) || config.instagramAccountId));
}

export async function subscribeOwner(
  client: GraphClient,
  config: SubscribableConfig | null,
): Promise<{ status: SubscriptionStatus; error: string | null; items: SubscriptionItem[] }> {
  if (!config || !hasSubscribableAccount(config)) return { status: 'NOT_CONFIGURED', error: null, items: [] };
  const items: SubscriptionItem[] = [];
  const { facebookPageId: pageId, facebookToken: pageToken, instagramAccountId } = config;
  let pageSubscribed = false;
  if (pageId && pageToken) {
    try {
      await subscribePageToApp(client, pageId, pageToken);
      pageSubscribed = true;
      items.push({ object: 'page', id: pageId, fields: PAGE_WEBHOOK_FIELDS, status: 'SUBSCRIBED' });
    } catch (error) {
      items.push({
        object: 'page',
        id: pageId,
        fields: PAGE_WEBHOOK_FIELDS,
        status: 'FAILED',
        error: refusal(error, 'pages_manage_metadata and pages_show_list'),
      });
    }
  }
  if (instagramAccountId) {
    const instagram = { object: 'instagram' as const, id: instagramAccountId, fields: INSTAGRAM_WEBHOOK_FIELDS };
    if (!pageId || !pageToken) {
      items.push({
        ...instagram,
        status: 'FAILED',
        error:
          "Meta delivers Instagram comment webhooks only through the Facebook Page connected to the account: set facebookPageId and that Page's token",
      });
    } else if (!pageSubscribed) {
      items.push({
        ...instagram,
        status: 'FAILED',
        viaPageId: pageId,
        error: `the connected Page ${pageId} could not install the app (see the page entry)`,
      });
    } else {
      let connected: string | undefined;
      try {
        connected = await connectedInstagramAccount(client, pageId, pageToken);
      } catch (error) {
        items.push({ ...instagram, status: 'FAILED', viaPageId: pageId, error: refusal(error, 'pages_show_list and instagram_basic') });
      }
      if (connected === instagramAccountId) items.push({ ...instagram, status: 'SUBSCRIBED', viaPageId: pageId });
      else if (!items.some((item) => item.object === 'instagram')) {
        items.push({
          ...instagram,
          status: 'FAILED',
          viaPageId: pageId,
          error: connected
            ? `Page ${pageId} is connected to Instagram account ${connected}, not ${instagramAccountId}`
            : `Page ${pageId} has no Instagram account connected; connect ${instagramAccountId} to it in Meta Business Suite`,
        });
      }
    }
  }
  const subscribed = items.filter((item) => item.status === 'SUBSCRIBED').length;
  const status: SubscriptionStatus = subscribed === items.length ? 'SUBSCRIBED' : subscribed > 0 ? 'PARTIAL' : 'FAILED';
  const errors = items.filter((item) => item.error).map((item) => `${item.object} ${item.id}: ${item.error}`);
  return { status, error: errors.length > 0 ? errors.join('; ') : null, items };
}

/** Meta's refusal as the reason; what may pass is rethrown for a retry. */
function refusal(error: unknown, permissions: string): string {
  if (error instanceof OutboundError && (error.kind === 'permanent' || error.kind === 'auth')) {
    return `Meta refused (${error.message}); the token must be a Page token with ${permissions}`;
  }
  throw error;
}
