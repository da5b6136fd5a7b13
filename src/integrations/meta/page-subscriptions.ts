// Webhook subscriptions of a Facebook Page: the Page installs our app for the
// `feed` field, with a Page token from someone who can manage it (pages_manage_metadata,
// pages_show_list). Meta delivers the connected Instagram account's `comments`/`mentions` webhooks
// only while that Page has the app installed (Meta says so for Instagram webhooks), so the same call enables both.
import type { GraphClient } from './graph-client.js';
import { graphIdSegment } from './graph-ids.js';
import { OutboundError } from '../outbound-error.js';

export const PAGE_WEBHOOK_FIELDS = ['feed'] as const;

/** POST /{page-id}/subscribed_apps?subscribed_fields=feed. Repeatable (Meta answers success again). */
export async function subscribePageToApp(client: GraphClient, pageId: string, pageToken: string): Promise<void> {
  const response = await client.post<{ success?: boolean }>(
    `/${graphIdSegment(pageId, 'Page id')}/subscribed_apps`,
    { subscribed_fields: PAGE_WEBHOOK_FIELDS.join(',') },
    pageToken,
    { idempotent: true, encoding: 'form' },
  );
  if (response.success !== true) {
    throw new OutboundError({ kind: 'permanent', service: 'meta', message: 'Meta subscribed_apps did not report success' });
  }
}

/** The Instagram professional account connected to the Page, if any. */
export async function connectedInstagramAccount(client: GraphClient, pageId: string, pageToken: string): Promise<string | undefined> {
  const page = await client.get<{ instagram_business_account?: { id?: string } }>(
    `/${graphIdSegment(pageId, 'Page id')}`,
    { fields: 'instagram_business_account' },
    pageToken,
  );
  return page.instagram_business_account?.id;
}
