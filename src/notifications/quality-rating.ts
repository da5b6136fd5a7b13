// What a number's quality rating does to its sends (meta-apis reference §4.5a: slow down on YELLOW,
// stop on RED). RED (or FLAGGED) pauses the number through the circuit breaker (code QUALITY_RED);
// YELLOW halves its send rate through the weight of its fairness key; GREEN (or a lifted flag)
// undoes both. Idempotent: applying the same rating twice changes nothing more.
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { setChannelWeight } from '../temporal/channel-weight.js';
import { pauseSending, QUALITY_RED, resumeSending } from './sending-circuit-breaker.js';

/** Weight of a YELLOW number's fairness key: half of WHATSAPP_SEND_RATE. */
export const YELLOW_SEND_WEIGHT = 0.5;

/** The fairness key of a Cloud API number (channel-choice.ts: channelFairnessKey). */
export const cloudFairnessKey = (phoneNumberId: string) => `wa:${phoneNumberId}`;

export interface QualityDeps {
  readonly db: Database;
  readonly temporal: Client;
  readonly config: AppConfig;
  readonly logger: Logger;
}

/** Returns true when sending was resumed (waiting notifications should re-plan). */
export async function applyQualityRating(
  deps: QualityDeps,
  account: { id: string; wabaId: string; phoneNumberId: string },
  rating: string,
): Promise<{ resumed: boolean }> {
  if (rating === 'RED') {
    await pauseSending(deps.db, deps.logger, account, QUALITY_RED);
    return { resumed: false };
  }
  const resumed = (await resumeSending(deps.db, account, QUALITY_RED)) > 0;
  await setChannelWeight(
    deps.temporal,
    deps.config,
    deps.logger,
    cloudFairnessKey(account.phoneNumberId),
    rating === 'YELLOW' ? YELLOW_SEND_WEIGHT : null,
  );
  return { resumed };
}
