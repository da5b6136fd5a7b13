// The fake's world, public and mutable so any test can seed it or look inside. Times are epoch
// milliseconds on the fake's clock (see FakeMetaClock); the wire format (seconds) is the routes' job.
import { randomBytes } from 'node:crypto';
import type { TokenInvalidation } from './errors.js';

export interface FakeGranularScope {
  scope: string;
  /** Asset ids (WABA ids for whatsapp_*); omitted for permissions that are not asset-scoped */
  targetIds?: string[];
}

export interface FakeToken {
  token: string;
  /** debug_token `type`: USER, PAGE, SYSTEM_USER, APP ... Page comments/reactions show identities only to PAGE */
  type: string;
  appId: string;
  userId: string;
  /** Page id of a PAGE token */
  profileId?: string;
  name?: string;
  scopes: string[];
  granularScopes: FakeGranularScope[];
  issuedAt: number;
  /** 0 = never expires */
  expiresAt: number;
  /** 0 = not applicable */
  dataAccessExpiresAt: number;
  /** Set to make Meta reject the token with the matching 190 subcode */
  invalidated?: TokenInvalidation;
  /**
   * Object ids this token may read/act on (IG user/media, page/post, WABA/phone ids). A request for
   * an object outside the list fails like Meta (100/33 for reads, 200 for WhatsApp assets).
   * undefined = unrestricted.
   */
  assets?: string[];
}

export interface FakeOAuthCode {
  code: string;
  /** Set for the redirect flow: the exchange must repeat it exactly. Undefined for Embedded Signup. */
  redirectUri?: string;
  expiresAt: number;
  used: boolean;
  /** What the exchange issues */
  token: Partial<FakeToken>;
}

export interface FakeIgUser {
  id: string;
  username: string;
  name?: string;
  followersCount?: number;
  /** Media (by id) in which this account is tagged: GET /{ig-user-id}/tags */
  taggedMediaIds: string[];
  /** Comment ids (any media) that @mention this account: mentioned_comment.comment_id(...) */
  mentionedCommentIds: string[];
  /** Media ids whose caption @mentions this account: mentioned_media.media_id(...) */
  mentionedMediaIds: string[];
}

export interface FakeIgComment {
  id: string;
  mediaId: string;
  text: string;
  username: string;
  /** IGSID of the commenter */
  fromId: string;
  /** ISO 8601 like Meta: 2026-01-02T03:04:05+0000 */
  timestamp: string;
  parentId?: string;
  replies: FakeIgComment[];
  /** Comments of restricted users are not returned by the API */
  restricted?: boolean;
  hidden?: boolean;
}

export interface FakeIgMedia {
  id: string;
  ownerId: string;
  /** Owner's username */
  username: string;
  caption?: string;
  timestamp: string;
  permalink: string;
  mediaType: string;
  likeCount: number;
  /** Top-level comments; returned newest first */
  comments: FakeIgComment[];
}

export interface FakeFbComment {
  id: string;
  postId: string;
  message: string;
  from: { id: string; name: string };
  createdTime: string;
  parentId?: string;
}

export interface FakeFbReaction {
  id: string;
  name: string;
  type: string;
}

export interface FakePagePost {
  id: string;
  pageId: string;
  message?: string;
  createdTime: string;
  /** All comments, replies included (parentId set); chronological */
  comments: FakeFbComment[];
  reactions: FakeFbReaction[];
}

/** A Facebook Page: the apps it installed for webhooks (subscribed_apps) and its connected IG account. */
export interface FakePage {
  id: string;
  name: string;
  /** The Instagram professional account connected to the Page (Page field instagram_business_account) */
  instagramAccountId?: string;
  /** App id → webhook fields subscribed with POST /{page-id}/subscribed_apps */
  subscribedApps: Map<string, string[]>;
}

export interface FakeTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  components: Record<string, unknown>[];
}

export interface FakeWaba {
  id: string;
  name: string;
  timezoneId?: string;
  templates: FakeTemplate[];
  /** App ids subscribed to this WABA's webhooks */
  subscribedAppIds: string[];
  /** The business portfolio that owns the WABA (owner_business_info.id) */
  businessId?: string;
  /** Meta blocks every send of the account with this code (368 policy, 131042 payment, 131031 locked) */
  blockedCode?: number;
}

/** A business portfolio: its messaging limit is shared by all numbers of all its WABAs. */
export interface FakeBusiness {
  id: string;
  /** whatsapp_business_manager_messaging_limit: TIER_250, TIER_2K, TIER_10K, TIER_100K, TIER_UNLIMITED */
  messagingLimit: string;
  /** Unique users reached outside a customer-service window: waId → last counted time */
  reached: Map<string, number>;
  /** Sends Meta accepted although the portfolio's limit was reached (a correct sender keeps this at 0) */
  overLimit: number;
}

export interface FakePhoneNumber {
  id: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  qualityRating: string;
  registered: boolean;
  /** Two-step verification PIN set by register */
  pin?: string;
  /** Too many of its messages were blocked or reported: every send answers 131048 */
  spamRestricted?: boolean;
}

export interface FakeSentMessage {
  id: string;
  phoneNumberId: string;
  to: string;
  waId: string;
  type: string;
  text?: string;
  template?: { name: string; language: string; bodyParameters: string[] };
  bizOpaqueCallbackData?: string;
  /** The token that sent it */
  token: string;
  /** The whole request body as Meta received it */
  payload: Record<string, unknown>;
  at: number;
}

export interface FakeMetaState {
  readonly appId: string;
  readonly appSecret: string;
  tokens: Map<string, FakeToken>;
  codes: Map<string, FakeOAuthCode>;
  igUsers: Map<string, FakeIgUser>;
  igMedia: Map<string, FakeIgMedia>;
  pagePosts: Map<string, FakePagePost>;
  pages: Map<string, FakePage>;
  wabas: Map<string, FakeWaba>;
  phoneNumbers: Map<string, FakePhoneNumber>;
  /** `${phoneNumberId}:${waId}` → last time the user wrote to that business number */
  lastInboundAt: Map<string, number>;
  sentMessages: FakeSentMessage[];
  businesses: Map<string, FakeBusiness>;
  /** waIds that stopped marketing messages (131050 on a MARKETING template) */
  marketingStopped: Set<string>;
  /** waIds at WhatsApp's per-user marketing cap (131049 on a MARKETING template) */
  marketingCapped: Set<string>;
}

export function createState(appId: string, appSecret: string): FakeMetaState {
  return {
    appId,
    appSecret,
    tokens: new Map(),
    codes: new Map(),
    igUsers: new Map(),
    igMedia: new Map(),
    pagePosts: new Map(),
    pages: new Map(),
    wabas: new Map(),
    phoneNumbers: new Map(),
    lastInboundAt: new Map(),
    sentMessages: [],
    businesses: new Map(),
    marketingStopped: new Set(),
    marketingCapped: new Set(),
  };
}

let counter = 0;
/** Numeric ids like Meta's (the clients refuse anything else as a Graph id). */
export function nextId(prefix = '1784140'): string {
  counter += 1;
  return `${prefix}${String(Date.now() % 1_000_000).padStart(6, '0')}${String(counter).padStart(5, '0')}`;
}

export function newTokenString(): string {
  return `EAAG${randomBytes(24).toString('base64url')}`;
}

export function newWamid(): string {
  return `wamid.${randomBytes(24)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')}`;
}

/** Meta's timestamp format: 2026-01-02T03:04:05+0000 */
export function metaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

export function digitsOf(phone: string): string {
  return phone.replace(/\D/g, '');
}
