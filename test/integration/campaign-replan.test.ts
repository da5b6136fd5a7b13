// A campaign edit answers at once, whatever the number of waiting claims: the HTTP request only asks
// the re-plan fan-out workflow, which signals the claims afterwards, server-side.
import type { WorkflowHandle } from '@temporalio/client';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';

/** A PATCH that waited for its claims' signals would not answer within this (it answers in milliseconds). */
const ANSWER_BOUND_MS = 20_000;

let system: TestSystem;
let tenantId: string;
let admin: string;
const signalsSent: { workflowId: string; afterAnswer: boolean }[] = [];
/** Signals to claims are held here until the test has the PATCH's answer (as on a busy server). */
let openSignalGate!: () => void;
const signalGate = new Promise<void>((resolve) => {
  openSignalGate = resolve;
});
let answered = false;

beforeAll(async () => {
  // Claims wait an hour before verifying: their workflows run but stay where the test puts the rows.
  system = await startTestSystem({ env: { CLAIM_VERIFY_DELAY: '1h' } });
  tenantId = await system.createTenant('replan-a');
  admin = tokens.tenantAdmin(tenantId);
  // The API's and the worker's client (one in the test system): signals to claims wait for the gate.
  const workflow = system.deps.temporal.workflow;
  const getHandle = workflow.getHandle.bind(workflow);
  workflow.getHandle = ((workflowId: string, ...rest: unknown[]) => {
    const handle = (getHandle as (...args: unknown[]) => WorkflowHandle)(workflowId, ...rest);
    if (!workflowId.startsWith('claim-')) return handle;
    const signal = handle.signal.bind(handle);
    return Object.assign(Object.create(handle), {
      signal: async (...args: Parameters<typeof signal>) => {
        await signalGate;
        signalsSent.push({ workflowId, afterAnswer: answered });
        await signal(...args);
      },
    });
  }) as typeof workflow.getHandle;
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

async function signalNames(workflowId: string): Promise<string[]> {
  const history = await system.deps.temporal.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const name = event.workflowExecutionSignaledEventAttributes?.signalName;
    return name ? [name] : [];
  });
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('PATCH answers before its waiting claims are signalled, and they are signalled afterwards', async () => {
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'Big' } });
  const task = await system.request('POST', `/api/v1/campaigns/${campaign.body.id}/tasks`, {
    token: admin,
    body: { title: 'Follow us', platform: 'INSTAGRAM', actionType: 'FOLLOW', spinsReward: 1 },
  });
  const workflowIds: string[] = [];
  for (let i = 0; i < 20; i++) {
    const user = await system.request('POST', '/api/v1/end-users', {
      token: admin,
      body: { name: `U${i}`, phone: `+5198700${String(i).padStart(4, '0')}`, whatsappOptIn: { source: 'test-fixture' } },
    });
    const claim = await system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, { token: tokens.endUser(tenantId, user.body.id), body: {} });
    expect(claim.status).toBe(202);
    workflowIds.push(claim.body.workflowId);
    // As if the workflow had verified the claim and were waiting for the window to open.
    await system.deps.db.claim.update({
      where: { id: claim.body.completionId },
      data: { status: 'VERIFIED', notificationStatus: 'WAITING_FOR_WINDOW', notificationNotBefore: new Date(Date.now() + 3_600_000) },
    });
  }

  // Every signal is held until the answer: a PATCH that signalled its claims itself would hang here.
  const patch = await Promise.race([
    system.request('PATCH', `/api/v1/campaigns/${campaign.body.id}`, { token: admin, body: { notificationStartHour: 6 } }),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('PATCH did not answer while the claims could not be signalled')), ANSWER_BOUND_MS).unref(),
    ),
  ]);
  answered = true;
  expect(patch.status).toBe(200);
  openSignalGate();

  // The fan-out tells every waiting claim once, after the answer.
  await eventually(async () => signalsSent.length === workflowIds.length, 30_000);
  expect(new Set(signalsSent.map((sent) => sent.workflowId))).toEqual(new Set(workflowIds));
  expect(signalsSent.every((sent) => sent.afterAnswer)).toBe(true);
  for (const workflowId of workflowIds) expect(await signalNames(workflowId)).toEqual(['notificationSettingsChanged']);
}, 60_000);
