// A claim whose workflow was terminated (or failed) restarts, from an admin's retry or the sweeper,
// under ALLOW_DUPLICATE_FAILED_ONLY, and the new run resumes from the row: a verified claim waiting
// for its window is notified exactly once; a pending claim waiting for review is decided and
// notified once. Real API, worker and Temporal dev server; the tenant's provider is a fake.
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { restartFailedClaims } from '../../src/temporal/claim-restart.js';
import { startClaimWorkflow } from '../../src/temporal/claim-starter.js';
import { claimWorkflowId } from '../../workflows/definitions.js';
import { eventually } from '../support/eventually.js';
import { startFakeHttpServer, type FakeHttpServer } from '../support/fake-http-server.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { seedClaim } from '../support/factories.js';

let system: TestSystem;
let provider: FakeHttpServer;

beforeAll(async () => {
  provider = await startFakeHttpServer(() => ({ body: { id: `provider-msg-${provider.requests.length}` } }));
  system = await startTestSystem({ env: { CLAIM_VERIFY_DELAY: '200ms' } });
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await provider?.close();
});

const row = (id: string) => system.deps.db.claim.findUniqueOrThrow({ where: { id } });
const sentTo = (claimId: string) =>
  provider.requests.filter((request) => JSON.stringify(request.body).includes('Ana') && request.path === `/${claimId}`);

/** A claim of a new tenant whose provider is the fake (path = the claim id, to count its messages). */
async function claim(options: Parameters<typeof seedClaim>[2] = {}) {
  const secrets = createSecretBox([system.config.tokenEncryptionKey]);
  const seeded = await seedClaim(system.deps.db, secrets, options);
  // Each claim's provider URL names the claim, so the fake's requests can be counted per claim.
  await system.deps.db.tenant.update({
    where: { id: seeded.tenantId },
    data: { waConfig: secrets.sealJson({ apiUrl: `${provider.url}/${seeded.claimId}`, apiKey: 'k', sender: 'Acme' }) },
  });
  const claim = await row(seeded.claimId);
  await startClaimWorkflow(system.deps, claim);
  return seeded;
}

/** A window that is closed now: it opens two hours from now, for an hour (UTC). */
function closedWindow() {
  const hour = new Date().getUTCHours();
  return { notificationStartHour: (hour + 2) % 24, notificationEndHour: (hour + 3) % 24 };
}

async function terminate(claimId: string) {
  await system.deps.temporal.workflow.getHandle(claimWorkflowId(claimId)).terminate('killed by the test');
}

test('a verified claim terminated while waiting for its window is notified once after an admin retry', async () => {
  const { claimId, campaignId, tenantId } = await claim({ campaign: closedWindow() });
  await eventually(async () => (await row(claimId)).notificationStatus === 'WAITING_FOR_WINDOW', 'the claim waiting for its window');
  await terminate(claimId);
  // The window opens (always open) while nothing runs the claim.
  await system.deps.db.campaign.update({ where: { id: campaignId }, data: { notificationStartHour: 0, notificationEndHour: 0 } });

  const admin = tokens.tenantAdmin(tenantId);
  const retried = await system.request('POST', `/api/v1/completions/${claimId}/retry`, { token: admin });
  expect(retried.status).toBe(202);
  expect(retried.body).toMatchObject({ id: claimId, status: 'VERIFIED' });
  await eventually(async () => (await row(claimId)).notificationStatus === 'SENT', 'the notification sent after the retry');
  const handle = system.deps.temporal.workflow.getHandle(claimWorkflowId(claimId));
  await handle.result();
  expect(sentTo(claimId)).toHaveLength(1);

  // Nothing is left to retry: a second retry changes nothing.
  const again = await system.request('POST', `/api/v1/completions/${claimId}/retry`, { token: admin });
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('INVALID_STATE');
  expect(sentTo(claimId)).toHaveLength(1);
  // Another tenant's admin cannot see the claim.
  const stranger = await system.request('POST', `/api/v1/completions/${claimId}/retry`, {
    token: tokens.tenantAdmin(await system.createTenant('restart-other')),
  });
  expect(stranger.status).toBe(404);
}, 120_000);

test('a retry of a claim whose workflow is running is refused and starts nothing', async () => {
  const { claimId, tenantId } = await claim({ task: { verificationStrategy: 'MANUAL' } });
  await eventually(
    async () => (await system.deps.temporal.workflow.getHandle(claimWorkflowId(claimId)).describe()).status.name === 'RUNNING',
    'the run',
  );
  const response = await system.request('POST', `/api/v1/completions/${claimId}/retry`, { token: tokens.tenantAdmin(tenantId) });
  expect(response.status).toBe(409);
  expect(response.body.error.details).toMatchObject({ workflow: 'running' });
}, 60_000);

test('the sweeper restarts a pending claim terminated while awaiting review; approved, it is notified once', async () => {
  const { claimId, tenantId } = await claim({ task: { verificationStrategy: 'MANUAL' } });
  const handle = () => system.deps.temporal.workflow.getHandle(claimWorkflowId(claimId));
  await eventually(
    async () => (await handle().query<{ phase: string }>('claimState')).phase === 'AWAITING_MANUAL_REVIEW',
    'the claim awaiting review',
  );
  await terminate(claimId);

  // Visibility lists the terminated run shortly after: the sweeper restarts it then.
  await eventually(
    async () => (await restartFailedClaims(system.deps)) > 0 || (await handle().describe()).status.name === 'RUNNING',
    'the sweeper restarting the claim',
  );
  expect((await handle().describe()).status.name).toBe('RUNNING');
  expect(await restartFailedClaims(system.deps)).toBe(0);

  const approved = await system.request('POST', `/api/v1/completions/${claimId}/approve`, { token: tokens.tenantAdmin(tenantId) });
  expect(approved.status).toBe(202);
  await eventually(async () => (await row(claimId)).notificationStatus === 'SENT', 'the notification after approval');
  await handle().result();
  expect(await row(claimId)).toMatchObject({ status: 'VERIFIED', notificationStatus: 'SENT' });
  expect(sentTo(claimId)).toHaveLength(1);
}, 120_000);
