// The timeline's words for outcomes the integration tests do not reach cheaply: UNKNOWN, a failed
// send, Meta's delivered/read statuses, and the verification time estimated when the workflow
// cannot be asked. The end user's form never carries provider text or message ids.
import { buildTimeline, type TimelineFacts } from '../../src/features/timeline/build-timeline.js';

const claimedAt = new Date('2026-11-30T10:00:00Z');
const verifiedAt = new Date('2026-11-30T10:05:00Z');

function facts(claim: Partial<TimelineFacts['claim']>, more: Partial<TimelineFacts> = {}): TimelineFacts {
  return {
    claim: {
      claimedAt,
      status: 'VERIFIED',
      detail: null,
      verifiedAt,
      verificationMethod: 'STATISTICAL',
      evidence: null,
      spinsAwarded: 3,
      updatedAt: new Date('2026-11-30T10:06:00Z'),
      notificationStatus: 'PENDING',
      notificationNotBefore: null,
      notificationSentAt: null,
      notificationChannel: null,
      notificationProviderMessageId: null,
      notificationError: null,
      notificationAttemptedAt: null,
      ...claim,
    },
    creditedAt: verifiedAt,
    window: { startHour: 9, endHour: 21, timeZone: 'America/Lima', enabled: true },
    deliveries: [],
    attempts: [],
    live: undefined,
    heldSince: null,
    verifyDelayMs: 5 * 60_000,
    ...more,
  };
}

test('UNKNOWN: the admin learns why it was not resent; the user only that it may not have arrived', () => {
  const unknown = facts({
    notificationStatus: 'UNKNOWN',
    notificationAttemptedAt: new Date('2026-11-30T10:06:00Z'),
    notificationError: "tenant's WhatsApp provider answered HTTP 504 (the message may have been sent; do not resend)",
  });
  const admin = buildTimeline(unknown, 'tenant_admin');
  expect(admin.events.at(-1)).toEqual({
    at: '2026-11-30T10:06:00.000Z',
    kind: 'send_unknown',
    text: "Sending ended without a clear answer; it may have reached the user and was not resent to avoid a duplicate: tenant's WhatsApp provider answered HTTP 504 (the message may have been sent; do not resend).",
  });
  expect(admin.next).toBeNull();
  const user = buildTimeline(unknown, 'end_user');
  expect(user.events.at(-1)).toEqual({ at: '2026-11-30T10:06:00.000Z', kind: 'send_unknown', text: 'Your notification may not have arrived.' });
  expect(JSON.stringify(user)).not.toContain('504');
});

test('a failed send says why to the admin only', () => {
  const failed = facts({ notificationStatus: 'FAILED', notificationError: 'WhatsApp Cloud API: (#131026) Message undeliverable' });
  expect(buildTimeline(failed, 'tenant_admin').events.at(-1)).toMatchObject({
    kind: 'notification_failed',
    text: 'The notification could not be sent: WhatsApp Cloud API: (#131026) Message undeliverable.',
  });
  const user = buildTimeline(failed, 'end_user');
  expect(user.events.at(-1)).toMatchObject({ kind: 'notification_failed', text: 'Your notification could not be sent.' });
  expect(JSON.stringify(user)).not.toContain('131026');
});

test("Meta's delivered and read statuses follow the send, in time order", () => {
  const read = facts(
    {
      notificationStatus: 'READ',
      notificationSentAt: new Date('2026-11-30T10:06:00Z'),
      notificationChannel: 'WHATSAPP_CLOUD',
      notificationProviderMessageId: 'wamid.X',
    },
    {
      deliveries: [
        { status: 'read', occurredAt: new Date('2026-11-30T10:09:00Z'), errorCode: null, errorTitle: null },
        { status: 'delivered', occurredAt: new Date('2026-11-30T10:07:00Z'), errorCode: null, errorTitle: null },
      ],
    },
  );
  const admin = buildTimeline(read, 'tenant_admin');
  expect(admin.events.map((event) => event.kind)).toEqual(['claimed', 'verified', 'credited', 'sent', 'delivered', 'read']);
  expect(admin.events[3]).toMatchObject({
    text: "Sent through the tenant's WhatsApp Business account (Cloud API) (message id wamid.X).",
    channel: 'WHATSAPP_CLOUD',
  });
  expect(JSON.stringify(buildTimeline(read, 'end_user'))).not.toContain('wamid.X');
});

test('a pending claim the workflow cannot be asked about: verification estimated from CLAIM_VERIFY_DELAY', () => {
  const pending = facts({ status: 'PENDING', verifiedAt: null, verificationMethod: null }, { creditedAt: null });
  expect(buildTimeline(pending, 'end_user')).toEqual({
    events: [{ at: claimedAt.toISOString(), kind: 'claimed', text: 'Claimed.' }],
    next: { at: '2026-11-30T10:05:00.000Z', kind: 'verify', text: 'Waiting until 2026-11-30T10:05:00.000Z to verify.' },
  });
});

test('the admin sees each send attempt (id, start, how it ended); the user sees none', () => {
  const attempted = facts(
    { notificationStatus: 'UNKNOWN', notificationAttemptedAt: new Date('2026-11-30T10:07:00Z'), notificationError: 'an earlier send attempt ended' },
    {
      attempts: [
        {
          id: 'attempt-1',
          startedAt: new Date('2026-11-30T10:06:00Z'),
          endedAt: new Date('2026-11-30T10:06:01Z'),
          outcome: 'RELEASED',
          detail: 'HTTP 429',
        },
        {
          id: 'attempt-2',
          startedAt: new Date('2026-11-30T10:07:00Z'),
          endedAt: new Date('2026-11-30T10:07:20Z'),
          outcome: 'INTERRUPTED',
          detail: null,
        },
      ],
    },
  );
  const admin = buildTimeline(attempted, 'tenant_admin').events.filter((event) => event.kind === 'send_attempt');
  expect(admin).toEqual([
    {
      at: '2026-11-30T10:06:00.000Z',
      kind: 'send_attempt',
      text: 'Send attempt attempt-1: nothing went out; retried (HTTP 429).',
      attemptId: 'attempt-1',
      endedAt: '2026-11-30T10:06:01.000Z',
      outcome: 'RELEASED',
    },
    expect.objectContaining({ attemptId: 'attempt-2', outcome: 'INTERRUPTED', endedAt: '2026-11-30T10:07:20.000Z' }),
  ]);
  expect(admin[1]!.text).toMatch(/^Send attempt attempt-2: it ended without recording its outcome/);
  expect(buildTimeline(attempted, 'end_user').events.some((event) => event.kind === 'send_attempt')).toBe(false);
});
