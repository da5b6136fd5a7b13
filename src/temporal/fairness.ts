// What a Temporal CLI dev server (1.9.x, server 1.32) needs so that the send queue dispatches by
// fairness key and rate-limits each key (src/worker/send-queue.ts). A self-hosted cluster sets
// the same dynamic config (matching.enableFairness: true); Temporal Cloud enables it per namespace.
export const FAIRNESS_CLI_ARGS = ['--dynamic-config-value', 'matching.enableFairness=true'] as const;
