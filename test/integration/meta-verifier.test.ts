// verifyActionWithMeta against the fake Meta: what can be proven is proven through the real
// endpoints and pagination; what Meta cannot show is reported as unsupported, never guessed.
import type { GraphClient } from '../../src/integrations/meta/graph-client.js';
import { OutboundError } from '../../src/integrations/outbound-error.js';
import { verifyActionWithMeta, type MetaCredentials, type VerifiableTask } from '../../src/verification/meta-verifier.js';
import { rateLimitReply, type FakeMeta } from '../fakes/fake-meta.js';
import { startFakeMetaWithClient } from '../support/factories.js';

let fake: FakeMeta;
let client: GraphClient;

beforeEach(async () => {
  ({ fake, client } = await startFakeMetaWithClient('verify-secret'));
});
afterEach(() => fake.close());

const START = Date.parse('2026-03-01T12:00:00Z');

function instagramSetup() {
  const business = fake.addInstagramAccount({ username: 'acme.store' });
  const media = fake.addInstagramMedia({ ownerId: business.id });
  const token = fake.addToken({ scopes: ['instagram_basic', 'instagram_manage_comments'], assets: [business.id] });
  const credentials: MetaCredentials = { instagramAccountId: business.id, instagramToken: token.token };
  return { business, media, token, credentials };
}

function facebookSetup(tokenType: 'PAGE' | 'USER' = 'PAGE') {
  const pageId = '1122334455';
  const post = fake.addPagePost({ pageId, message: 'Comment to win' });
  const token = tokenType === 'PAGE' ? fake.addPageToken(pageId) : fake.addToken();
  const credentials: MetaCredentials = { facebookPageId: pageId, facebookToken: token.token };
  return { post, token, credentials };
}

const igComment = (targetId: string): VerifiableTask => ({ platform: 'INSTAGRAM', actionType: 'COMMENT', targetId });

describe('Instagram comments', () => {
  test("finds the claimant's comment on the third page of comments", async () => {
    const { media, credentials } = instagramSetup();
    const mine = fake.addInstagramComment(media.id, { username: 'maria.silva', text: 'Love it', atMs: START });
    for (let i = 1; i <= 120; i += 1) fake.addInstagramComment(media.id, { username: `fan_${i}`, atMs: START + i * 1000 });

    const result = await verifyActionWithMeta({ client, credentials, task: igComment(media.id), user: { handle: 'maria.silva' } });

    expect(result).toEqual({
      outcome: 'verified',
      evidence: { source: 'instagram_comments', mediaId: media.id, commentId: mine.id, username: 'maria.silva', timestamp: mine.timestamp },
    });
    const pages = fake.graphRequests({ method: 'GET', path: `/${media.id}/comments` });
    expect(pages).toHaveLength(3);
    expect(pages[0]?.query.get('fields')).toContain('username');
  });

  test('"@Maria.Silva " in the claim matches the comment by maria.silva', async () => {
    const { media, credentials } = instagramSetup();
    fake.addInstagramComment(media.id, { username: 'maria.silva' });
    const result = await verifyActionWithMeta({ client, credentials, task: igComment(media.id), user: { handle: '  @Maria.Silva ' } });
    expect(result.outcome).toBe('verified');
  });

  test('without a handle in the claim, the stored Instagram username is used', async () => {
    const { media, credentials } = instagramSetup();
    fake.addInstagramComment(media.id, { username: 'joao_p' });
    const stored = await verifyActionWithMeta({ client, credentials, task: igComment(media.id), user: { instagramUsername: 'JOAO_P' } });
    expect(stored.outcome).toBe('verified');
    // The claim's handle wins over the stored one.
    const claimed = await verifyActionWithMeta({
      client,
      credentials,
      task: igComment(media.id),
      user: { handle: 'someone_else', instagramUsername: 'joao_p' },
    });
    expect(claimed.outcome).toBe('not_found');
  });

  test('a reply in a thread counts, including replies beyond the inlined first page', async () => {
    const { media, credentials } = instagramSetup();
    const thread = fake.addInstagramComment(media.id, { username: 'acme.store', text: 'Tell us your favourite!' });
    for (let i = 0; i < 30; i += 1) fake.addInstagramComment(media.id, { username: `fan_${i}`, parentId: thread.id, atMs: START + i });
    const late = fake.addInstagramComment(media.id, { username: 'late_replier', parentId: thread.id, atMs: START + 100 });

    const result = await verifyActionWithMeta({ client, credentials, task: igComment(media.id), user: { handle: 'late_replier' } });
    expect(result).toMatchObject({ outcome: 'verified', evidence: { commentId: late.id, parentCommentId: thread.id } });
    expect(fake.graphRequests({ path: `/${thread.id}/replies` }).length).toBeGreaterThan(0);
  });

  test('not found after the page cap says that older comments were not checked', async () => {
    const { media, credentials } = instagramSetup();
    fake.addInstagramComment(media.id, { username: 'early_bird', atMs: START });
    for (let i = 1; i <= 20 * 50; i += 1) fake.addInstagramComment(media.id, { username: `fan_${i}`, atMs: START + i * 1000 });

    const result = await verifyActionWithMeta({ client, credentials, task: igComment(media.id), user: { handle: 'early_bird' } });
    expect(result.outcome).toBe('not_found');
    expect(result.outcome === 'not_found' && result.detail).toMatch(/stopped after 20 pages.*older comments were not checked/);
    expect(fake.graphRequests({ path: `/${media.id}/comments` })).toHaveLength(20);
  });

  test('a plain miss is not_found with how much was checked', async () => {
    const { media, credentials } = instagramSetup();
    fake.addInstagramComment(media.id, { username: 'someone' });
    const result = await verifyActionWithMeta({ client, credentials, task: igComment(media.id), user: { handle: 'maria' } });
    expect(result).toEqual({ outcome: 'not_found', detail: `No comment by @maria on Instagram media ${media.id} (1 comments checked)` });
  });
});

describe('Instagram mentions', () => {
  test('media by the claimant that tags the business verifies the mention', async () => {
    const { business, credentials } = instagramSetup();
    const fan = fake.addInstagramAccount({ username: 'ana.b' });
    const post = fake.addInstagramMedia({ ownerId: fan.id, caption: 'Thanks @acme.store' });
    fake.tagInstagramAccount(business.id, post.id);
    const result = await verifyActionWithMeta({
      client,
      credentials,
      task: { platform: 'INSTAGRAM', actionType: 'MENTION' },
      user: { handle: '@Ana.B' },
    });
    expect(result).toMatchObject({ outcome: 'verified', evidence: { source: 'instagram_tags', mediaId: post.id, username: 'ana.b' } });
  });

  test('no tag: not_found, and the detail says caption mentions are only reported by webhook', async () => {
    const { credentials } = instagramSetup();
    const result = await verifyActionWithMeta({
      client,
      credentials,
      task: { platform: 'INSTAGRAM', actionType: 'MENTION' },
      user: { handle: 'ana.b' },
    });
    expect(result.outcome).toBe('not_found');
    expect(result.outcome === 'not_found' && result.detail).toContain('mentions webhook');
  });
});

describe('Facebook Page posts', () => {
  test("a comment (or reply) by the claimant's name is found with a Page token", async () => {
    const { post, credentials } = facebookSetup();
    const top = fake.addPageComment(post.id, { name: 'Someone Else', atMs: START });
    const reply = fake.addPageComment(post.id, { name: 'Ana  Souza', parentId: top.id, atMs: START + 1000 });
    const result = await verifyActionWithMeta({
      client,
      credentials,
      task: { platform: 'FACEBOOK', actionType: 'COMMENT', targetId: post.id },
      user: { facebookName: 'ana souza' },
    });
    expect(result).toMatchObject({ outcome: 'verified', evidence: { source: 'facebook_comments', commentId: reply.id, matchedOn: 'name' } });
  });

  test('with a non-Page token Meta hides who commented, so the check is unsupported rather than not_found', async () => {
    const { post, credentials } = facebookSetup('USER');
    fake.addPageComment(post.id, { name: 'Ana Souza' });
    const result = await verifyActionWithMeta({
      client,
      credentials,
      task: { platform: 'FACEBOOK', actionType: 'COMMENT', targetId: post.id },
      user: { handle: 'Ana Souza' },
    });
    expect(result.outcome).toBe('unsupported');
    expect(result.outcome === 'unsupported' && result.reason).toContain('not a Page token');
  });

  test('a reaction by the claimant verifies a LIKE task; its type is in the evidence', async () => {
    const { post, credentials } = facebookSetup();
    fake.addPageReaction(post.id, { name: 'Other Person' });
    fake.addPageReaction(post.id, { name: 'Ana Souza', type: 'LOVE' });
    const liked = await verifyActionWithMeta({
      client,
      credentials,
      task: { platform: 'FACEBOOK', actionType: 'LIKE', targetId: post.id },
      user: { handle: 'ana souza' },
    });
    expect(liked).toMatchObject({ outcome: 'verified', evidence: { source: 'facebook_reactions', reactionType: 'LOVE' } });
    const missing = await verifyActionWithMeta({
      client,
      credentials,
      task: { platform: 'FACEBOOK', actionType: 'LIKE', targetId: post.id },
      user: { handle: 'Nobody' },
    });
    expect(missing.outcome).toBe('not_found');
  });
});

describe('what cannot be checked is reported honestly', () => {
  const cases: [string, VerifiableTask, RegExp][] = [
    ['Instagram follow', { platform: 'INSTAGRAM', actionType: 'FOLLOW' }, /no follower list/],
    ['Instagram like', { platform: 'INSTAGRAM', actionType: 'LIKE', targetId: '179000' }, /only a like count/],
    ['Instagram share', { platform: 'INSTAGRAM', actionType: 'SHARE', targetId: '179000' }, /shared/],
    ['Facebook page like', { platform: 'FACEBOOK', actionType: 'LIKE' }, /only available as totals/],
    ['Facebook follow', { platform: 'FACEBOOK', actionType: 'FOLLOW' }, /totals/],
    ['Facebook share', { platform: 'FACEBOOK', actionType: 'SHARE', targetId: '1_2' }, /shared/],
    ['TikTok', { platform: 'TIKTOK', actionType: 'COMMENT', targetId: '1' }, /TIKTOK/],
    ['Twitter', { platform: 'TWITTER', actionType: 'FOLLOW' }, /TWITTER/],
    ['a URL instead of a media id', { platform: 'INSTAGRAM', actionType: 'COMMENT', targetUrl: 'https://www.instagram.com/p/Cx1AbC/' }, /only a URL/],
    [
      'a shortcode as targetId',
      { platform: 'INSTAGRAM', actionType: 'COMMENT', targetId: 'Cx1AbC' },
      /not a valid Instagram media id \(expected a numeric Graph id\)/,
    ],
    ['no target at all', { platform: 'FACEBOOK', actionType: 'COMMENT' }, /no targetId/],
  ];

  test.each(cases)('%s → unsupported, without calling Meta', async (_name, task, reason) => {
    const credentials: MetaCredentials = { instagramAccountId: '17841', instagramToken: 'EAAGx', facebookPageId: '1', facebookToken: 'EAAGy' };
    const result = await verifyActionWithMeta({ client, credentials, task, user: { handle: 'ana' } });
    expect(result.outcome).toBe('unsupported');
    expect(result.outcome === 'unsupported' && result.reason).toMatch(reason);
    expect(fake.graphRequests()).toHaveLength(0);
  });

  test('missing credentials for the platform → no_credentials', async () => {
    const instagram = await verifyActionWithMeta({
      client,
      credentials: { facebookToken: 'EAAGy' },
      task: igComment('179000'),
      user: { handle: 'ana' },
    });
    expect(instagram.outcome).toBe('no_credentials');
    const facebook = await verifyActionWithMeta({
      client,
      credentials: { instagramToken: 'EAAGx' },
      task: { platform: 'FACEBOOK', actionType: 'COMMENT', targetId: '1_2' },
      user: { handle: 'ana' },
    });
    expect(facebook.outcome).toBe('no_credentials');
    const mention = await verifyActionWithMeta({
      client,
      credentials: { instagramToken: 'EAAGx' },
      task: { platform: 'INSTAGRAM', actionType: 'MENTION' },
      user: { handle: 'ana' },
    });
    expect(mention.outcome).toBe('no_credentials');
  });

  test("a target Meta does not know (or the token cannot read) is unsupported with Meta's reason", async () => {
    const { credentials } = instagramSetup();
    const result = await verifyActionWithMeta({ client, credentials, task: igComment('179999999'), user: { handle: 'ana' } });
    expect(result.outcome).toBe('unsupported');
    expect(result.outcome === 'unsupported' && result.reason).toContain('does not exist');
  });
});

describe('failures that the caller must retry or report are thrown', () => {
  test('a rejected token is an auth OutboundError', async () => {
    const { media, token, credentials } = instagramSetup();
    fake.invalidateToken(token.token, 'password_changed');
    await expect(verifyActionWithMeta({ client, credentials, task: igComment(media.id), user: { handle: 'ana' } })).rejects.toMatchObject({
      kind: 'auth',
      providerCode: 190,
      providerSubcode: 460,
    });
  });

  test('an Instagram throttle in the middle of the walk is rate_limited with the regain time', async () => {
    const { media, credentials } = instagramSetup();
    for (let i = 0; i < 120; i += 1) fake.addInstagramComment(media.id, { username: `fan_${i}`, atMs: START + i });
    // Let the first page through, then throttle.
    fake.override('GET', new RegExp(`^/${media.id}/comments$`), (context) =>
      context.params.after ? rateLimitReply({ code: 80002, regainMinutes: 3 }) : undefined,
    );
    const error = await verifyActionWithMeta({ client, credentials, task: igComment(media.id), user: { handle: 'ana' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundError);
    expect(error).toMatchObject({ kind: 'rate_limited', providerCode: 80002, retryAfterMs: 180_000 });
  });
});
