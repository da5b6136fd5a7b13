// Helpers that put realistic records into the fake's state (ids, timestamps and defaults filled in).
// Tests may equally write to `fake.state` directly; these only save typing.
import { storeToken } from './routes-oauth.js';
import type {
  FakeBusiness,
  FakeFbComment,
  FakeFbReaction,
  FakeIgComment,
  FakeIgMedia,
  FakeIgUser,
  FakeMetaState,
  FakeOAuthCode,
  FakePage,
  FakePagePost,
  FakePhoneNumber,
  FakeTemplate,
  FakeToken,
  FakeWaba,
} from './state.js';
import { digitsOf, metaTimestamp, nextId } from './state.js';
import type { TokenInvalidation } from './errors.js';

export interface FakeMetaClock {
  /** The fake's "now" in epoch ms (real time plus whatever was advanced) */
  now(): number;
  /** Moves the fake's clock forward: expires tokens and codes without sleeping */
  advance(ms: number): void;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`fake-meta: unknown ${what}`);
  return value;
}

export function createSeeders(state: FakeMetaState, clock: FakeMetaClock) {
  return {
    /** A token Meta would accept. Defaults: USER, never expiring, unrestricted assets. */
    addToken(init: Partial<FakeToken> = {}): FakeToken {
      return storeToken(state, clock.now(), init);
    },

    /** A never-expiring PAGE token (shows commenter/reactor identities) for the given page. */
    addPageToken(pageId: string, init: Partial<FakeToken> = {}): FakeToken {
      return storeToken(state, clock.now(), {
        type: 'PAGE',
        profileId: pageId,
        scopes: ['pages_read_engagement', 'pages_read_user_content', 'pages_show_list'],
        ...init,
      });
    },

    /** A business (BISU) token granted the given WABAs, like Embedded Signup produces. */
    addBusinessToken(wabaIds: string[], init: Partial<FakeToken> = {}): FakeToken {
      return storeToken(state, clock.now(), {
        type: 'SYSTEM_USER',
        scopes: ['whatsapp_business_management', 'whatsapp_business_messaging', 'business_management'],
        granularScopes: [
          { scope: 'whatsapp_business_management', targetIds: wabaIds },
          { scope: 'whatsapp_business_messaging', targetIds: wabaIds },
          { scope: 'business_management' },
        ],
        ...init,
      });
    },

    expireToken(token: string): void {
      required(state.tokens.get(token), 'token').expiresAt = clock.now() - 1000;
    },

    /** 190 with Meta's subcode: 'revoked' (458, app removed), 'password_changed' (460), 'logged_out' (467). */
    invalidateToken(token: string, reason: TokenInvalidation = 'revoked'): void {
      required(state.tokens.get(token), 'token').invalidated = reason;
    },

    /**
     * A login code. Redirect flow: give `redirectUri` (the exchange must repeat it). Embedded
     * Signup: omit it (ttl 30 s by default, like Meta). Single use.
     */
    issueCode(init: { redirectUri?: string; ttlMs?: number; token?: Partial<FakeToken>; code?: string } = {}): string {
      const code = init.code ?? `AQ${nextId('')}${Math.random().toString(36).slice(2)}`;
      const entry: FakeOAuthCode = {
        code,
        expiresAt: clock.now() + (init.ttlMs ?? (init.redirectUri ? 10 * 60_000 : 30_000)),
        used: false,
        token: init.token ?? {},
      };
      if (init.redirectUri !== undefined) entry.redirectUri = init.redirectUri;
      state.codes.set(code, entry);
      return code;
    },

    addInstagramAccount(init: Partial<FakeIgUser> & { username: string }): FakeIgUser {
      const user: FakeIgUser = { id: nextId('17841'), taggedMediaIds: [], mentionedCommentIds: [], mentionedMediaIds: [], ...init };
      state.igUsers.set(user.id, user);
      return user;
    },

    addInstagramMedia(init: Partial<FakeIgMedia> & { ownerId: string }): FakeIgMedia {
      const owner = state.igUsers.get(init.ownerId);
      const id = init.id ?? nextId('179');
      const media: FakeIgMedia = {
        id,
        username: owner?.username ?? 'owner',
        timestamp: metaTimestamp(clock.now()),
        permalink: `https://www.instagram.com/p/${id.slice(-8)}/`,
        mediaType: 'IMAGE',
        likeCount: 0,
        comments: [],
        ...init,
      };
      state.igMedia.set(media.id, media);
      return media;
    },

    /** A comment (or a reply, with parentId) on an IG media. `atMs` sets its time (default now). */
    addInstagramComment(
      mediaId: string,
      init: { username: string; text?: string; atMs?: number; parentId?: string; restricted?: boolean; id?: string; fromId?: string },
    ): FakeIgComment {
      const media = required(state.igMedia.get(mediaId), 'IG media');
      const comment: FakeIgComment = {
        id: init.id ?? nextId('178'),
        mediaId,
        text: init.text ?? 'Nice!',
        username: init.username,
        fromId: init.fromId ?? nextId('9'),
        timestamp: metaTimestamp(init.atMs ?? clock.now()),
        replies: [],
        ...(init.restricted ? { restricted: true } : {}),
      };
      if (init.parentId) {
        comment.parentId = init.parentId;
        required(
          media.comments.find((candidate) => candidate.id === init.parentId),
          'parent comment',
        ).replies.push(comment);
      } else {
        media.comments.push(comment);
      }
      return comment;
    },

    /**
     * The author (or the business) deletes an IG comment: it leaves its media (or parent), so lists no
     * longer show it and `GET /{comment-id}` answers Meta's "does not exist" error (100, subcode 33).
     */
    deleteInstagramComment(commentId: string): void {
      for (const media of state.igMedia.values()) {
        for (const list of [media.comments, ...media.comments.map((comment) => comment.replies)]) {
          const at = list.findIndex((comment) => comment.id === commentId);
          if (at >= 0) {
            list.splice(at, 1);
            return;
          }
        }
      }
      throw new Error(`fake Meta: no IG comment ${commentId}`);
    },

    /** The business hides an IG comment: it is still listed and readable, with `hidden: true`. */
    hideInstagramComment(commentId: string): void {
      for (const media of state.igMedia.values()) {
        for (const comment of media.comments.flatMap((top) => [top, ...top.replies])) {
          if (comment.id === commentId) {
            comment.hidden = true;
            return;
          }
        }
      }
      throw new Error(`fake Meta: no IG comment ${commentId}`);
    },

    /** `mediaId` (someone's post) tags the business account `igUserId`. */
    tagInstagramAccount(igUserId: string, mediaId: string): void {
      required(state.igUsers.get(igUserId), 'IG user').taggedMediaIds.push(mediaId);
    },

    /** A comment or caption that @mentions the business (what the mentions webhook would announce). */
    mentionInstagramAccount(igUserId: string, mention: { commentId?: string; mediaId?: string }): void {
      const user = required(state.igUsers.get(igUserId), 'IG user');
      if (mention.commentId) user.mentionedCommentIds.push(mention.commentId);
      if (mention.mediaId) user.mentionedMediaIds.push(mention.mediaId);
    },

    /** A Page that can install the app (subscribed_apps); `instagramAccountId` connects an IG account to it. */
    addPage(init: Partial<Omit<FakePage, 'subscribedApps'>> = {}): FakePage {
      const page: FakePage = { id: init.id ?? nextId('1045'), name: init.name ?? 'Fake Page', subscribedApps: new Map(), ...init };
      state.pages.set(page.id, page);
      return page;
    },

    addPagePost(init: Partial<FakePagePost> & { pageId: string }): FakePagePost {
      const post: FakePagePost = {
        id: `${init.pageId}_${nextId('10')}`,
        createdTime: metaTimestamp(clock.now()),
        comments: [],
        reactions: [],
        ...init,
      };
      state.pagePosts.set(post.id, post);
      return post;
    },

    addPageComment(postId: string, init: { name: string; fromId?: string; message?: string; atMs?: number; parentId?: string }): FakeFbComment {
      const post = required(state.pagePosts.get(postId), 'page post');
      const comment: FakeFbComment = {
        id: `${postId.split('_')[1] ?? postId}_${nextId('11')}`,
        postId,
        message: init.message ?? 'Great post',
        from: { id: init.fromId ?? nextId('24'), name: init.name },
        createdTime: metaTimestamp(init.atMs ?? clock.now()),
        ...(init.parentId ? { parentId: init.parentId } : {}),
      };
      post.comments.push(comment);
      return comment;
    },

    addPageReaction(postId: string, init: { name: string; id?: string; type?: string }): FakeFbReaction {
      const reaction: FakeFbReaction = { id: init.id ?? nextId('24'), name: init.name, type: init.type ?? 'LIKE' };
      required(state.pagePosts.get(postId), 'page post').reactions.push(reaction);
      return reaction;
    },

    addWaba(init: Partial<FakeWaba> = {}): FakeWaba {
      const waba: FakeWaba = { id: nextId('1020'), name: 'Fake Business', templates: [], subscribedAppIds: [], ...init };
      state.wabas.set(waba.id, waba);
      return waba;
    },

    addPhoneNumber(wabaId: string, init: Partial<FakePhoneNumber> = {}): FakePhoneNumber {
      required(state.wabas.get(wabaId), 'WABA');
      const phone: FakePhoneNumber = {
        id: nextId('1060'),
        wabaId,
        displayPhoneNumber: '+1 555-010-0000',
        verifiedName: 'Fake Business',
        qualityRating: 'GREEN',
        registered: true,
        ...init,
      };
      state.phoneNumbers.set(phone.id, phone);
      return phone;
    },

    /** A template; `bodyText` with {{1}}... placeholders becomes its BODY component. Default APPROVED, UTILITY, en_US. */
    addTemplate(wabaId: string, init: Partial<FakeTemplate> & { name: string; bodyText?: string }): FakeTemplate {
      const { bodyText, ...rest } = init;
      const template: FakeTemplate = {
        id: nextId('7'),
        language: 'en_US',
        status: 'APPROVED',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: bodyText ?? 'Hello {{1}}' }],
        ...rest,
      };
      required(state.wabas.get(wabaId), 'WABA').templates.push(template);
      return template;
    },

    /** A business portfolio owning `wabaIds`, with its messaging limit (default TIER_250, a new portfolio's). */
    addBusiness(init: { messagingLimit?: string; wabaIds?: string[] } = {}): FakeBusiness {
      const business: FakeBusiness = { id: nextId('1110'), messagingLimit: init.messagingLimit ?? 'TIER_250', reached: new Map(), overLimit: 0 };
      state.businesses.set(business.id, business);
      for (const wabaId of init.wabaIds ?? []) required(state.wabas.get(wabaId), 'WABA').businessId = business.id;
      return business;
    },

    /** The user wrote to the business number: opens the 24-hour window for free-form text. */
    recordInboundMessage(phoneNumberId: string, from: string, atMs?: number): void {
      state.lastInboundAt.set(`${phoneNumberId}:${digitsOf(from)}`, atMs ?? clock.now());
    },
  };
}

export type FakeMetaSeeders = ReturnType<typeof createSeeders>;
