// A tenant set up through the API for claim tests that are about what surrounds a claim (metrics,
// traces, timelines) rather than verification itself: a custom WhatsApp provider (a fake), a
// campaign, an HONOR_SYSTEM task, and end users with session tokens.
import type { FakeWhatsappProvider } from '../fakes/fake-whatsapp-provider.js';
import { eventually } from './eventually.js';
import type { TestSystem } from './system.js';
import { tokens } from './tokens.js';

export interface ScenarioTenant {
  readonly id: string;
  readonly adminToken: string;
  readonly campaignId: string;
  readonly taskId: string;
}

export interface ScenarioUser {
  readonly id: string;
  readonly phone: string;
  readonly token: string;
}

let phoneCounter = 0;

export async function setUpScenarioTenant(
  system: TestSystem,
  init: {
    slug: string;
    /** Set up inside a tenant the test created itself (e.g. to add rows first) */
    existingTenantId?: string;
    provider?: FakeWhatsappProvider;
    campaign?: Record<string, unknown>;
    task?: Record<string, unknown>;
  },
): Promise<ScenarioTenant> {
  const tenantId = init.existingTenantId ?? (await system.createTenant(init.slug));
  const adminToken = tokens.tenantAdmin(tenantId);
  if (init.provider) {
    const settings = await system.request('PUT', '/api/v1/tenant/settings', {
      token: adminToken,
      body: { waConfig: { apiUrl: init.provider.sendUrl, apiKey: init.provider.apiKey, sender: init.slug } },
    });
    if (settings.status !== 200) throw new Error(`settings: ${settings.status} ${settings.text}`);
  }
  // start == end: the window is always open unless the test says otherwise.
  const campaign = await system.request('POST', '/api/v1/campaigns', {
    token: adminToken,
    body: { name: `${init.slug} campaign`, notificationStartHour: 6, notificationEndHour: 6, ...init.campaign },
  });
  if (campaign.status !== 201) throw new Error(`campaign: ${campaign.status} ${campaign.text}`);
  const task = await system.request('POST', `/api/v1/campaigns/${campaign.body.id}/tasks`, {
    token: adminToken,
    body: { title: 'Follow us', platform: 'INSTAGRAM', actionType: 'FOLLOW', spinsReward: 4, verificationStrategy: 'HONOR_SYSTEM', ...init.task },
  });
  if (task.status !== 201) throw new Error(`task: ${task.status} ${task.text}`);
  return { id: tenantId, adminToken, campaignId: campaign.body.id, taskId: task.body.id };
}

export async function newScenarioUser(system: TestSystem, tenant: ScenarioTenant, name = 'Ana'): Promise<ScenarioUser> {
  phoneCounter += 1;
  const phone = `+5198711${String(phoneCounter).padStart(4, '0')}`;
  const created = await system.request('POST', '/api/v1/end-users', {
    token: tenant.adminToken,
    body: { name, phone, whatsappOptIn: { source: 'test-fixture' } },
  });
  if (created.status !== 201) throw new Error(`end user: ${created.status} ${created.text}`);
  return { id: created.body.id, phone, token: tokens.endUser(tenant.id, created.body.id) };
}

export async function claimTask(system: TestSystem, user: ScenarioUser, taskId: string): Promise<string> {
  const response = await system.request('POST', `/api/v1/tasks/${taskId}/claims`, { token: user.token, body: {} });
  if (response.status !== 202) throw new Error(`claim: ${response.status} ${response.text}`);
  return response.body.completionId as string;
}

/** Polls the admin view until `done` holds. */
export function settleCompletion(system: TestSystem, tenant: ScenarioTenant, completionId: string, done: (view: any) => boolean, what: string) {
  return eventually(
    async () => {
      const view = await system.request('GET', `/api/v1/completions/${completionId}`, { token: tenant.adminToken });
      return view.status === 200 && done(view.body) ? view.body : undefined;
    },
    what,
    45_000,
  );
}
