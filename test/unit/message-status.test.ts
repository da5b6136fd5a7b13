// The delivery-status merge (src/notifications/delivery-status.ts): forward-only, order-independent.
import { describeFailure, mergeDeliveryStatuses, type DeliveryState, type StatusReport } from '../../src/notifications/delivery-status.js';

const state = (notificationStatus: DeliveryState['notificationStatus'], notificationError: string | null = null): DeliveryState => ({
  notificationStatus,
  notificationError,
});
const sent: StatusReport = { status: 'sent' };
const delivered: StatusReport = { status: 'delivered' };
const read: StatusReport = { status: 'read' };
const failed: StatusReport = { status: 'failed', errorCode: 131026, errorTitle: 'Message undeliverable' };
const FAILURE = '131026: Message undeliverable';

test.each([
  ['SENT + delivered', state('SENT'), [delivered], 'DELIVERED', null],
  ['SENT + read without delivered', state('SENT'), [read], 'READ', null],
  ['DELIVERED + late sent stays DELIVERED', state('DELIVERED'), [sent], 'DELIVERED', null],
  ['READ + late delivered and sent stays READ', state('READ'), [delivered, sent], 'READ', null],
  ['SENT + failed → FAILED with code: title', state('SENT'), [failed], 'FAILED', FAILURE],
  ['UNKNOWN + sent resolves forward, clears the ambiguity note', state('UNKNOWN', 'may have been delivered'), [sent], 'SENT', null],
  ['UNKNOWN + read resolves forward', state('UNKNOWN', 'may have been delivered'), [read], 'READ', null],
  ['UNKNOWN + failed → FAILED', state('UNKNOWN', 'may have been delivered'), [failed], 'FAILED', FAILURE],
  ['SENDING + failed → FAILED', state('SENDING'), [failed], 'FAILED', FAILURE],
  ['DELIVERED + failed keeps DELIVERED, error visible', state('DELIVERED'), [failed], 'DELIVERED', FAILURE],
  ['READ + failed keeps READ, error visible', state('READ'), [failed], 'READ', FAILURE],
  ['FAILED + late sent stays FAILED', state('FAILED', FAILURE), [sent, failed], 'FAILED', FAILURE],
  ['FAILED + delivered (another device got it) → DELIVERED, error kept', state('FAILED', FAILURE), [failed, delivered], 'DELIVERED', FAILURE],
  ['untracked statuses change nothing', state('SENT'), [{ status: 'played' }, { status: 'deleted' }], 'SENT', null],
  ['PENDING is not a sent message: unchanged', state('PENDING'), [delivered], 'PENDING', null],
  ['SKIPPED is not a sent message: unchanged', state('SKIPPED', 'disabled'), [read], 'SKIPPED', 'disabled'],
] as const)('%s', (_name, current, reports, expectedStatus, expectedError) => {
  const merged = mergeDeliveryStatuses(current, reports);
  expect(merged.notificationStatus).toBe(expectedStatus);
  expect(merged.notificationError).toBe(expectedError);
  expect(merged.changed).toBe(expectedStatus !== current.notificationStatus || expectedError !== current.notificationError);
});

test('the outcome does not depend on arrival order or repeats', () => {
  const reports = [sent, delivered, read, failed];
  const permutations = (items: StatusReport[]): StatusReport[][] =>
    items.length <= 1
      ? [items]
      : items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
  for (const start of ['SENT', 'UNKNOWN', 'SENDING'] as const) {
    const outcomes = new Set(permutations(reports).map((order) => JSON.stringify(mergeDeliveryStatuses(state(start), [...order, ...order]))));
    expect(outcomes.size).toBe(1);
  }
  // Applying the same reports again to the merged state changes nothing (idempotent).
  const once = mergeDeliveryStatuses(state('SENT'), reports);
  expect(mergeDeliveryStatuses(once, reports).changed).toBe(false);
});

test('one status at a time reaches the same state as all at once', () => {
  let current: DeliveryState = state('SENT');
  const seen: StatusReport[] = [];
  for (const report of [read, failed, delivered, sent]) {
    seen.push(report);
    const { notificationStatus, notificationError } = mergeDeliveryStatuses(current, seen);
    current = { notificationStatus, notificationError };
  }
  expect(current).toEqual({ notificationStatus: 'READ', notificationError: FAILURE });
});

test.each([
  [{ errorCode: 131047, errorTitle: 'Re-engagement message' }, '131047: Re-engagement message'],
  [{ errorCode: 131000, errorTitle: null }, '131000'],
  [{ errorCode: null, errorTitle: 'Something went wrong' }, 'Something went wrong'],
  [{}, 'failed (Meta gave no error details)'],
])('describeFailure(%j) = %s', (report, expected) => {
  expect(describeFailure(report)).toBe(expected);
});
