// One stable key per piece of evidence, so the database can refuse to let it reward two claims of a
// task (EvidenceUse's unique key). Ids are Meta's own; a reaction has no id of its own, so it is
// the reactor on the post (one reaction per person and post).
import type { VerificationEvidence } from './outcome.js';

export function evidenceKey(evidence: VerificationEvidence): string | undefined {
  const text = (name: string) => (typeof evidence[name] === 'string' && evidence[name] !== '' ? (evidence[name] as string) : undefined);
  switch (evidence.source) {
    case 'instagram_comments':
      return prefixed('instagram_comment', text('commentId'));
    case 'instagram_tags':
      return prefixed('instagram_media', text('mediaId'));
    case 'facebook_comments':
      return prefixed('facebook_comment', text('commentId'));
    case 'facebook_reactions': {
      const postId = text('postId');
      const reactor = text('reactorId') ?? (text('name') ? `name:${text('name')!.toLowerCase()}` : undefined);
      return postId && reactor ? `facebook_reaction:${postId}:${reactor}` : undefined;
    }
    default:
      return undefined;
  }
}

const prefixed = (prefix: string, id: string | undefined) => (id ? `${prefix}:${id}` : undefined);
