// Whether Meta can really check a META_API task with the credentials that would verify its claims
// (the tenant's, else the platform's): the static answer of task-checkability.ts, then one read of
// the target (`GET /{id}?fields=id`) with that token. Run when a task is created or its target
// edited, and on demand (POST /tasks/:id/check), because tokens change.
import type { FallbackStrategy, VerificationStrategy } from '../domain/statuses.js';
import type { GraphClient } from '../integrations/meta/graph-client.js';
import { graphIdSegment } from '../integrations/meta/graph-ids.js';
import { OutboundError } from '../integrations/outbound-error.js';
import type { CredentialSource } from './credential-sources.js';
import type { VerifiableTask } from './outcome.js';
import { taskCheckability } from './task-checkability.js';

export interface CheckableTask extends VerifiableTask {
  readonly verificationStrategy: VerificationStrategy;
  readonly fallbackStrategy: FallbackStrategy;
}

export type TargetCheckOutcome =
  /** Meta can read the target: it decides the claims */
  | 'readable'
  /** The task does not use Meta at all */
  | 'not_meta'
  /** Meta cannot check this action */
  | 'uncheckable'
  /** The target cannot be a Graph id for this platform */
  | 'malformed'
  /** Neither the tenant nor the platform has credentials for the platform */
  | 'no_credentials'
  /** Meta refused to read the target (unknown object, another page's post, no permission, bad token) */
  | 'unreadable'
  /** Meta could not be asked right now (timeout, rate limit, outage) */
  | 'unavailable';

export interface TargetCheck {
  readonly outcome: TargetCheckOutcome;
  readonly readable: boolean;
  /** Why not readable (for the tenant; may quote Meta), null when readable */
  readonly reason: string | null;
  /** The strategy that will decide claims instead of Meta; null when Meta decides */
  readonly fallback: CheckableTask['fallbackStrategy'] | CheckableTask['verificationStrategy'] | null;
}

export async function checkTaskTarget(graph: GraphClient, sources: readonly CredentialSource[], task: CheckableTask): Promise<TargetCheck> {
  const notReadable = (outcome: TargetCheckOutcome, reason: string): TargetCheck => ({
    outcome,
    readable: false,
    reason,
    fallback: outcome === 'not_meta' ? task.verificationStrategy : task.fallbackStrategy,
  });
  if (task.verificationStrategy !== 'META_API') return notReadable('not_meta', `The task is decided by ${task.verificationStrategy}, not by Meta`);
  const plan = taskCheckability(task);
  if (plan.kind === 'uncheckable') return notReadable('uncheckable', plan.reason);
  if (plan.kind === 'malformed') return notReadable('malformed', `targetId ${plan.message}`);

  const read = readWith(plan.platform, plan.read, sources);
  if (!read) {
    const needs =
      plan.platform === 'INSTAGRAM'
        ? plan.read === 'instagram_account'
          ? 'an Instagram account id and token'
          : 'an Instagram token'
        : 'a Facebook Page token';
    return notReadable('no_credentials', `Neither the tenant nor the platform has ${needs} configured`);
  }
  try {
    await graph.get(`/${graphIdSegment(read.objectId)}`, { fields: 'id' }, read.token);
    return { outcome: 'readable', readable: true, reason: null, fallback: null };
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    const whose = read.method === 'TENANT_META_API' ? "tenant's" : "platform's";
    if (error.kind === 'permanent' || error.kind === 'auth') {
      return notReadable('unreadable', `Meta cannot read ${read.objectId} with the ${whose} credentials: ${error.message}`);
    }
    return notReadable('unavailable', `Meta could not be asked right now (${error.kind}); check the task again later`);
  }
}

/** The object to read and the token that verification would use: the tenant's first, then the platform's. */
function readWith(
  platform: 'INSTAGRAM' | 'FACEBOOK',
  target: { readonly objectId: string } | 'instagram_account',
  sources: readonly CredentialSource[],
): { objectId: string; token: string; method: CredentialSource['method'] } | undefined {
  for (const { method, credentials } of sources) {
    if (platform === 'FACEBOOK' && credentials.facebookToken && target !== 'instagram_account') {
      return { objectId: target.objectId, token: credentials.facebookToken, method };
    }
    if (platform === 'INSTAGRAM' && credentials.instagramToken) {
      if (target !== 'instagram_account') return { objectId: target.objectId, token: credentials.instagramToken, method };
      if (credentials.instagramAccountId) return { objectId: credentials.instagramAccountId, token: credentials.instagramToken, method };
    }
  }
  return undefined;
}
