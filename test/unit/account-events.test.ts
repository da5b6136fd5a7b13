// decideAccountEvent: which WhatsApp account webhook changes an account, and how (pure).
import { BAN_REASON_PREFIX, REVIEW_REASON_PREFIX, decideAccountEvent } from '../../src/webhooks/account-events.js';

const WABA = 'waba-entry-1';

describe('decideAccountEvent', () => {
  test.each<[string, string, Record<string, unknown>, Record<string, unknown>]>([
    [
      'PARTNER_REMOVED revokes our access (WABA from waba_info)',
      'account_update',
      { event: 'PARTNER_REMOVED', waba_info: { waba_id: 'customer-waba' } },
      { wabaId: 'customer-waba', change: expect.objectContaining({ kind: 'status', status: 'NEEDS_REAUTH', wipeToken: false, from: ['ACTIVE'] }) },
    ],
    [
      'PARTNER_APP_UNINSTALLED revokes our access',
      'account_update',
      { event: 'PARTNER_APP_UNINSTALLED' },
      { wabaId: WABA, change: expect.objectContaining({ kind: 'status', status: 'NEEDS_REAUTH' }) },
    ],
    [
      'ACCOUNT_DELETED of one number disconnects that number and wipes its token',
      'account_update',
      { event: 'ACCOUNT_DELETED', phone_number: '+1 555 0100' },
      { phoneDigits: '15550100', change: expect.objectContaining({ kind: 'status', status: 'DISCONNECTED', wipeToken: true }) },
    ],
    [
      'ACCOUNT_DELETED without a number concerns the whole WABA',
      'account_update',
      { event: 'ACCOUNT_DELETED' },
      { phoneDigits: undefined, change: expect.objectContaining({ status: 'DISCONNECTED' }) },
    ],
    [
      'a ban disconnects with the ban reason',
      'account_update',
      { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'DISABLE', waba_ban_date: '2026-12-01' } },
      { change: expect.objectContaining({ kind: 'status', status: 'DISCONNECTED', reason: expect.stringMatching(/^Meta: disabled.*2026-12-01/) }) },
    ],
    [
      'a reinstatement lifts only a ban',
      'account_update',
      { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'REINSTATE' } },
      { change: { kind: 'lift', reasonPrefix: BAN_REASON_PREFIX } },
    ],
    [
      'a scheduled disable is only noted',
      'account_update',
      { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'SCHEDULE_FOR_DISABLE' } },
      { change: { kind: 'note' }, detail: expect.stringContaining('scheduled to be disabled') },
    ],
    [
      'a violation is only noted',
      'account_update',
      { event: 'ACCOUNT_VIOLATION', violation_info: { violation_type: 'SPAM' } },
      { change: { kind: 'note' }, detail: 'violation SPAM; no status change' },
    ],
    [
      'a rejected review disconnects',
      'account_review_update',
      { decision: 'REJECTED' },
      { change: expect.objectContaining({ kind: 'status', status: 'DISCONNECTED', reason: expect.stringContaining(REVIEW_REASON_PREFIX) }) },
    ],
    [
      'an approved review lifts only a rejection',
      'account_review_update',
      { decision: 'APPROVED' },
      { change: { kind: 'lift', reasonPrefix: REVIEW_REASON_PREFIX } },
    ],
    ['a pending review is noted', 'account_review_update', { decision: 'PENDING' }, { change: { kind: 'note' } }],
    [
      'a flagged number is rated RED',
      'phone_number_quality_update',
      { event: 'FLAGGED', display_phone_number: '+1 555 0101' },
      { phoneDigits: '15550101', change: { kind: 'quality', qualityRating: 'RED' } },
    ],
    [
      'an unflagged number is no longer rated low',
      'phone_number_quality_update',
      { event: 'UNFLAGGED', display_phone_number: '15550101' },
      { change: { kind: 'quality', qualityRating: 'UNKNOWN' } },
    ],
    [
      'a limit change is noted with the limit',
      'phone_number_quality_update',
      { event: 'UPGRADE', current_limit: 'TIER_10K' },
      { change: { kind: 'note' }, detail: 'messaging limit TIER_10K' },
    ],
    [
      'an approved display name is taken',
      'phone_number_name_update',
      { decision: 'APPROVED', requested_verified_name: 'Demo Coffee', display_phone_number: '15550102' },
      { change: { kind: 'verifiedName', verifiedName: 'Demo Coffee' } },
    ],
    ['a rejected display name is noted', 'phone_number_name_update', { decision: 'REJECTED' }, { change: { kind: 'note' } }],
  ])('%s', (_what, field, value, expected) => {
    expect(decideAccountEvent(field, value, WABA)).toEqual(expect.objectContaining(expected));
  });

  test.each<[string, string, unknown]>([
    ['a field that is not an account event', 'messages', {}],
    ['a value that is not an object', 'account_update', 'PARTNER_REMOVED'],
  ])('%s is malformed', (_what, field, value) => {
    expect(decideAccountEvent(field, value, WABA)).toEqual({ malformed: expect.any(String) });
  });
});
