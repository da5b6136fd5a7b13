// The search attributes on claim workflows (TenantId, CampaignId, ClaimStatus). Keyword values only: operators filter on them.
import { defineSearchAttributeKey } from '@temporalio/common';

export const TENANT_ID = defineSearchAttributeKey('TenantId', 'KEYWORD');
export const CAMPAIGN_ID = defineSearchAttributeKey('CampaignId', 'KEYWORD');
export const CLAIM_STATUS = defineSearchAttributeKey('ClaimStatus', 'KEYWORD');

export const CLAIM_SEARCH_ATTRIBUTES = [TENANT_ID, CAMPAIGN_ID, CLAIM_STATUS] as const;

/** `--search-attribute` arguments for `temporal server start-dev` and `temporal operator`. */
export const SEARCH_ATTRIBUTE_CLI_ARGS = CLAIM_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
