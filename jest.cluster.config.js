// `npm run test:cluster` (not part of `npm test`): the claim end-to-end test, the send pacing test
// and the Schedule tests against the real Temporal server on PostgreSQL (TEMPORAL_TOPOLOGY=cluster) instead of the CLI dev
// server. Needs scripts/install-temporal-server.sh (the script runs it).
import base from './jest.config.js';

export default {
  ...base,
  testMatch: [
    '<rootDir>/test/integration/claims-e2e.test.ts',
    '<rootDir>/test/integration/token-refresh-schedules.test.ts',
    // Fairness-key pacing needs matching.enableFairness in the shipped dynamic config.
    '<rootDir>/test/integration/send-pacing.test.ts',
    '<rootDir>/test/cluster/**/*.test.ts',
  ],
  testPathIgnorePatterns: [],
  globalSetup: '<rootDir>/test/support/global-setup-cluster.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown-cluster.mjs',
  testTimeout: 180_000,
};
