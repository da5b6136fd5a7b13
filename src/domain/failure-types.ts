// The types of the Temporal failures activities throw (src/worker/activity-failures.ts builds them): retry
// policies, workflows and the worker's activity metrics tell rate-limit waits and permanent
// refusals apart by these names.
export const FailureType = {
  RateLimited: 'RateLimited',
  Transient: 'Transient',
  Permanent: 'Permanent',
} as const;
