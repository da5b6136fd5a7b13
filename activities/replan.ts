// The fan-out step of replanWaitingClaims: finds the claims still waiting to notify in the scope
// (PostgreSQL is the source of their status) and signals each (src/temporal/claim-signals.ts).
import type { ReplanScope } from '../workflows/replan-definitions.js';
import { signalClaimsOfCampaign, signalClaimsOfTenant } from '../src/temporal/claim-signals.js';
import type { ActivityDeps } from './deps.js';
import { whileHeartbeating } from './heartbeat.js';

export function createReplanActivities(deps: Pick<ActivityDeps, 'db' | 'temporal' | 'logger'>) {
  return {
    /** Returns how many claims were signalled. Throws when Temporal is unreachable: the activity retries. */
    async signalWaitingClaims(scope: ReplanScope): Promise<number> {
      return whileHeartbeating(() =>
        scope.kind === 'campaign' ? signalClaimsOfCampaign(deps, scope.tenantId, scope.campaignId) : signalClaimsOfTenant(deps, scope.tenantId),
      );
    },
  };
}
