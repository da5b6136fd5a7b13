// The claim workflow's notify loop under signals: notify-now on a held claim must not turn the
// hourly re-check into a busy loop, and a claim that waits through many campaign edits continues
// as new instead of growing its history without bound. Time-skipping server, real activities and
// database, the fake Graph API for the Cloud API sends.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { claimStateQuery, notificationSettingsChangedSignal, notifyNowSignal } from '../../workflows/definitions.js';
import { eventually } from '../support/eventually.js';
import { isActivityOf, RECORDS_VERIFICATION, testConfig, waitForClaim, useClaimTestWorld } from './claim-support.js';
import { seedClaim } from '../support/factories.js';

const world = useClaimTestWorld({ metaAppSecret: 'notify-loop-secret' });

const secrets = () => createSecretBox([testConfig().tokenEncryptionKey]);

/** A claim whose tenant's only WhatsApp channel is a Cloud API account that needs reconnecting. */
async function heldClaim() {
  const waba = world.fakeMeta.addWaba({ name: 'Held WABA' });
  const phone = world.fakeMeta.addPhoneNumber(waba.id, { displayPhoneNumber: `+1 555-020-${randomUUID().slice(0, 4)}` });
  const token = world.fakeMeta.addBusinessToken([waba.id], { assets: [waba.id, phone.id] });
  const claim = await seedClaim(world.database.db, secrets());
  // The user wrote in recently, so a plain text message is allowed (no template needed).
  await world.database.db.endUser.update({ where: { id: claim.userId }, data: { lastInboundAt: new Date() } });
  world.fakeMeta.recordInboundMessage(phone.id, '+51987654321', Date.now());
  const account = await world.database.db.whatsappAccount.create({
    data: {
      tenantId: claim.tenantId,
      wabaId: waba.id,
      phoneNumberId: phone.id,
      displayPhoneNumber: '+1 555 0200',
      accessToken: secrets().seal(token.token),
      status: 'NEEDS_REAUTH',
    },
  });
  return { ...claim, accountId: account.id };
}

const historyLength = async (handle: WorkflowHandle) => (await handle.fetchHistory()).events?.length ?? 0;
const sentTo = (claimId: string) => world.fakeMeta.sentMessages.filter((message) => message.bizOpaqueCallbackData === claimId);

test('notify-now on a held claim re-checks once, keeps the history small, and the claim is sent once after reconnecting', async () => {
  const claim = await heldClaim();
  const handle = await world.harness.startClaim(claim.claimId, { verifyDelayMs: 1_000 });
  await eventually(async () => (await handle.query(claimStateQuery)).phase === 'HELD', 'claim to be held');

  await handle.signal(notifyNowSignal);
  // Real time passes; a busy loop would add thousands of events in this while.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const state = await handle.query(claimStateQuery);
  expect(state.phase).toBe('HELD');
  expect(await historyLength(handle)).toBeLessThan(60);
  expect(sentTo(claim.claimId)).toHaveLength(0);

  // Reconnecting the account releases it (the API signals held claims of the tenant).
  await world.database.db.whatsappAccount.update({ where: { id: claim.accountId }, data: { status: 'ACTIVE' } });
  await handle.signal(notificationSettingsChangedSignal);
  const row = await waitForClaim(world.database.db, claim.claimId, (current) => current.notificationStatus === 'SENT');
  expect(row.notificationChannel).toBe('WHATSAPP_CLOUD');
  await handle.result();
  expect(sentTo(claim.claimId)).toHaveLength(1);
  expect(await historyLength(handle)).toBeLessThan(80);
});

test('a held claim with no signal re-checks once an hour, not in a loop', async () => {
  const claim = await heldClaim();
  const handle = await world.harness.startClaim(claim.claimId, { verifyDelayMs: 1_000 });
  await eventually(async () => (await handle.query(claimStateQuery)).phase === 'HELD', 'claim to be held');
  const before = await historyLength(handle);
  await world.harness.jumpTo(new Date((await world.harness.now()).getTime() + 3 * 3_600_000 + 60_000));
  const plans = (await handle.fetchHistory()).events!.filter((event) => isActivityOf(event, ['planNotification']));
  // The first plan, then one re-check per hour over three hours.
  expect(plans.length).toBeGreaterThanOrEqual(3);
  expect(plans.length).toBeLessThanOrEqual(5);
  expect(await historyLength(handle)).toBeLessThan(before + 60);
});

test('notify-now given while held applies to the send that reconnecting allows, outside the window', async () => {
  const claim = await heldClaim();
  // A window that is never open now: 1 hour wide, starting 12 hours from now.
  const startHour = new Date((await world.harness.now()).getTime() + 12 * 3_600_000).getUTCHours();
  await world.database.db.campaign.update({
    where: { id: claim.campaignId },
    data: { notificationStartHour: startHour, notificationEndHour: (startHour + 1) % 24 },
  });
  const handle = await world.harness.startClaim(claim.claimId, { verifyDelayMs: 1_000 });
  await eventually(async () => (await handle.query(claimStateQuery)).phase === 'HELD', 'claim to be held');
  await handle.signal(notifyNowSignal);
  await world.database.db.whatsappAccount.update({ where: { id: claim.accountId }, data: { status: 'ACTIVE' } });
  await handle.signal(notificationSettingsChangedSignal);
  // The operator's notify-now still applies to the send that the reconnection allows.
  await waitForClaim(world.database.db, claim.claimId, (current) => current.notificationStatus === 'SENT');
  expect(sentTo(claim.claimId)).toHaveLength(1);
});

test('a claim waiting through many campaign edits continues as new and is still sent exactly once', async () => {
  const claim = await heldClaim();
  await world.database.db.whatsappAccount.update({ where: { id: claim.accountId }, data: { status: 'ACTIVE' } });
  const startHour = new Date((await world.harness.now()).getTime() + 12 * 3_600_000).getUTCHours();
  await world.database.db.campaign.update({
    where: { id: claim.campaignId },
    data: { notificationStartHour: startHour, notificationEndHour: (startHour + 1) % 24 },
  });
  const handle = await world.harness.startClaim(claim.claimId, { verifyDelayMs: 1_000, continueAsNewAfterEvents: 40 });
  await eventually(async () => (await handle.query(claimStateQuery)).phase === 'WAITING_FOR_WINDOW', 'claim to wait for the window');
  const firstRunId = (await handle.describe()).runId;

  // Edit after edit, each one handled before the next, until the history is long enough to
  // continue as new (how many that takes depends on how the server batches them, not on a count).
  const currentRunId = async () => (await world.harness.env.client.workflow.getHandle(handle.workflowId).describe()).runId;
  for (let edit = 0; (await currentRunId()) === firstRunId; edit++) {
    if (edit >= 200) throw new Error('200 campaign edits and the claim never continued as new');
    const before = await historyLength(handle);
    await handle.signal(notificationSettingsChangedSignal);
    await eventually(async () => (await currentRunId()) !== firstRunId || (await historyLength(handle)) > before + 3, 'the edit to be handled');
  }
  const latest = world.harness.env.client.workflow.getHandle(handle.workflowId);
  await eventually(async () => (await latest.query(claimStateQuery)).phase === 'WAITING_FOR_WINDOW', 'the new run to wait for the window');
  expect((await latest.query(claimStateQuery)).status).toBe('VERIFIED');
  // The new run carries on from the notify loop: no second verification, no second credit.
  const newHistory = (await latest.fetchHistory()).events!;
  expect(newHistory.some((event) => isActivityOf(event, RECORDS_VERIFICATION))).toBe(false);

  await latest.signal(notifyNowSignal);
  await waitForClaim(world.database.db, claim.claimId, (current) => current.notificationStatus === 'SENT');
  await latest.result();
  expect(sentTo(claim.claimId)).toHaveLength(1);
  const ledger = await world.database.db.spinCredit.findMany({ where: { claimId: claim.claimId } });
  expect(ledger).toHaveLength(1);
});
