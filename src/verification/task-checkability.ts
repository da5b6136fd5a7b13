// What a META_API task asks Meta to check, decided from the task alone (no credentials, no calls):
// the action Meta cannot check at all, a target that cannot be a Graph id, or the object to read
// with which platform's token. The API uses it when a task is created or edited, so the tenant
// learns before any claim what Meta will decide and what the fallback strategy will.
import { isGraphId } from '../integrations/meta/graph-ids.js';
import type { VerifiableTask } from './outcome.js';

export type TaskCheckability =
  /** Meta has no way to check this action: the fallback strategy decides every claim. */
  | { readonly kind: 'uncheckable'; readonly reason: string }
  /** The target cannot be what Meta needs: refuse the task. */
  | { readonly kind: 'malformed'; readonly field: 'targetId'; readonly message: string }
  /** Readable with the platform's token: the target object, or the business account itself. */
  | { readonly kind: 'checkable'; readonly platform: 'INSTAGRAM' | 'FACEBOOK'; readonly read: { readonly objectId: string } | 'instagram_account' };

export function taskCheckability(task: VerifiableTask): TaskCheckability {
  const uncheckable = (reason: string): TaskCheckability => ({ kind: 'uncheckable', reason });
  switch (task.platform) {
    case 'INSTAGRAM':
      switch (task.actionType) {
        case 'COMMENT':
          return target(task, 'INSTAGRAM', 'the Instagram media id (digits, e.g. 17895695668004550), not a post URL or shortcode');
        case 'MENTION':
          return { kind: 'checkable', platform: 'INSTAGRAM', read: 'instagram_account' };
        case 'FOLLOW':
          return uncheckable(
            'Instagram has no follower list that Meta lets us read (its only per-user follow check, is_user_follow_business, needs the user to message the business first)',
          );
        case 'LIKE':
          return uncheckable('Instagram shows only a like count on media, not who liked it');
        case 'SHARE':
          return uncheckable('Instagram does not show who shared or sent a post');
      }
      break;
    case 'FACEBOOK':
      switch (task.actionType) {
        case 'COMMENT':
          return target(task, 'FACEBOOK', 'the Facebook post id ({page-id}_{post-id}), not a post URL');
        case 'LIKE':
          if (!task.targetId && !task.targetUrl) return uncheckable('Page likes are only available as totals; Meta does not list who liked a Page');
          return target(task, 'FACEBOOK', 'the Facebook post id ({page-id}_{post-id}), not a post URL');
        case 'FOLLOW':
          return uncheckable('Facebook shows only follower totals for a Page, not who follows it');
        case 'SHARE':
          return uncheckable('The Graph API does not list who shared a Page post');
        case 'MENTION':
          return uncheckable('Mentions of a Page cannot be searched through the Graph API');
      }
      break;
    case 'TIKTOK':
    case 'TWITTER':
      return uncheckable(`${task.platform} actions cannot be checked through Meta's Graph API`);
  }
  return uncheckable(`Unknown action ${String(task.actionType)} on ${String(task.platform)}`);
}

function target(task: VerifiableTask, platform: 'INSTAGRAM' | 'FACEBOOK', what: string): TaskCheckability {
  const targetId = task.targetId?.trim();
  if (!targetId) return { kind: 'malformed', field: 'targetId', message: `required for this task: ${what}` };
  if (!isGraphId(targetId)) return { kind: 'malformed', field: 'targetId', message: `must be ${what}` };
  return { kind: 'checkable', platform, read: { objectId: targetId } };
}
