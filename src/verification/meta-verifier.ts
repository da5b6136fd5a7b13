// Decides how (and whether) a claimed social action can be checked through Meta's Graph API with
// one set of credentials, and runs that check. Only what Meta really exposes is attempted
// (comments on the business's own IG media and Page posts, IG tags, Page post reactions; no
// follower, liker or share lists exist); everything else is 'unsupported' with the reason, so the task's fallback
// strategy takes over instead of a claim failing for something nobody could have proven.
// Throws OutboundError for transient, auth and rate-limit failures (the caller retries or
// reports the credentials); a permanent refusal of the lookup (unknown or unreadable target)
// becomes 'unsupported', because no retry and no user action will make it checkable.
import type { GraphClient } from '../integrations/meta/graph-client.js';
import { isGraphId } from '../integrations/meta/graph-ids.js';
import { OutboundError } from '../integrations/outbound-error.js';
import type { EvidenceRules } from './evidence-screen.js';
import { findFacebookComment, findFacebookReaction } from './facebook-checks.js';
import { firstHandle } from './handle-match.js';
import { findInstagramComment, findInstagramTag } from './instagram-checks.js';
import type { Claimant, MetaCredentials, MetaVerification, VerifiableTask } from './outcome.js';
import { taskCheckability } from './task-checkability.js';

export type { Claimant, MetaCredentials, MetaVerification, VerifiableTask, VerificationEvidence } from './outcome.js';

export interface VerifyActionInput {
  readonly client: GraphClient;
  readonly credentials: MetaCredentials;
  readonly task: VerifiableTask;
  readonly user: Claimant;
  /** Postdate and single-use rules for what is found (evidence-screen.ts) */
  readonly rules?: EvidenceRules;
}

/** A check that can run, or the reason it cannot. */
type Plan = { run: () => Promise<MetaVerification> } | Exclude<MetaVerification, { outcome: 'verified' | 'not_found' }>;

export async function verifyActionWithMeta(input: VerifyActionInput): Promise<MetaVerification> {
  const plan = planCheck(input);
  if (!('run' in plan)) return plan;
  try {
    return await plan.run();
  } catch (error) {
    if (error instanceof OutboundError && error.kind === 'permanent') {
      return { outcome: 'unsupported', reason: `Meta refused the lookup: ${error.message}` };
    }
    throw error;
  }
}

const unsupported = (reason: string): Plan => ({ outcome: 'unsupported', reason });
const noCredentials = (reason: string): Plan => ({ outcome: 'no_credentials', reason });

function planCheck({ client, credentials, task, user, rules = {} }: VerifyActionInput): Plan {
  // What Meta cannot check at all is decided in one place, the same answer the API gave the
  // tenant when the task was created (task-checkability.ts).
  const checkability = taskCheckability(task);
  if (checkability.kind === 'uncheckable') return unsupported(checkability.reason);
  const claimant = (handle: string | undefined): Who => ({ handle, proofCode: user.proofCode, rules });
  switch (task.platform) {
    case 'INSTAGRAM':
      return planInstagram(client, credentials, task, claimant(firstHandle(user.handle, user.instagramUsername)));
    case 'FACEBOOK':
      return planFacebook(client, credentials, task, claimant(firstHandle(user.handle, user.facebookName)));
    case 'TIKTOK':
    case 'TWITTER':
      return unsupported(`${task.platform} actions cannot be checked through Meta's Graph API`);
    default:
      return unsupported(`Unknown platform ${String(task.platform)}`);
  }
}

/** Who to look for: a proof code (any author) wins over the handle. */
interface Who {
  readonly handle: string | undefined;
  readonly proofCode: string | undefined;
  readonly rules: EvidenceRules;
}

function planInstagram(client: GraphClient, credentials: MetaCredentials, task: VerifiableTask, who: Who): Plan {
  const { handle, proofCode, rules } = who;
  switch (task.actionType) {
    case 'COMMENT': {
      const target = requireTargetId(task, 'Instagram media id');
      if (typeof target !== 'string') return target;
      if (!credentials.instagramToken) return noCredentials('No Instagram token configured');
      if (!handle && !proofCode) return unsupported('The user gave no Instagram username (neither in the claim nor in the profile)');
      const token = credentials.instagramToken;
      return { run: () => findInstagramComment(client, { token, mediaId: target, handle, proofCode, rules }) };
    }
    case 'MENTION': {
      if (!credentials.instagramToken || !credentials.instagramAccountId) {
        return noCredentials('Checking Instagram tags needs both the Instagram account id and token');
      }
      if (!isGraphId(credentials.instagramAccountId)) return unsupported('The configured Instagram account id is not a Graph id');
      if (!handle) return unsupported('The user gave no Instagram username (neither in the claim nor in the profile)');
      const token = credentials.instagramToken;
      const igUserId = credentials.instagramAccountId;
      return { run: () => findInstagramTag(client, { token, igUserId, handle, rules }) };
    }
    default:
      return unsupported(`Unknown action ${String(task.actionType)}`);
  }
}

function planFacebook(client: GraphClient, credentials: MetaCredentials, task: VerifiableTask, who: Who): Plan {
  const { handle: name, rules } = who;
  // Reactions have no text: a proof code can only be matched in a comment.
  const proofCode = task.actionType === 'COMMENT' ? who.proofCode : undefined;
  switch (task.actionType) {
    case 'COMMENT':
    case 'LIKE': {
      const target = requireTargetId(task, 'Facebook post id');
      if (typeof target !== 'string') return target;
      if (!credentials.facebookToken) return noCredentials('No Facebook Page token configured');
      if (!name && !proofCode) return unsupported('The user gave no Facebook name (neither in the claim nor in the profile)');
      const token = credentials.facebookToken;
      if (task.actionType === 'COMMENT') return { run: () => findFacebookComment(client, { token, postId: target, name, proofCode, rules }) };
      return { run: () => findFacebookReaction(client, { token, postId: target, name: name!, rules }) };
    }
    default:
      return unsupported(`Unknown action ${String(task.actionType)}`);
  }
}

/** The Graph id to read, or why there is none. Nothing is derived from URLs: a shortcode is not an id. */
function requireTargetId(task: VerifiableTask, what: string): string | Plan {
  const targetId = task.targetId?.trim();
  if (!targetId) {
    return unsupported(
      task.targetUrl
        ? `The task has only a URL; Meta's API needs the ${what} (a post URL or Instagram shortcode is not one), so set the task's targetId`
        : `The task has no targetId (${what}) to check`,
    );
  }
  if (!isGraphId(targetId)) return unsupported(`The task's targetId is not a valid ${what} (expected a numeric Graph id)`);
  return targetId;
}
