// The evidence rules every Meta check shares: evidence must postdate the task (with Meta's clock
// allowance) and reward one claim only; what was passed over is named in the not-found outcome.
import { EVIDENCE_CLOCK_ALLOWANCE_MS, evidenceAge } from '../../src/verification/evidence-age.js';
import { EvidenceScreen } from '../../src/verification/evidence-screen.js';
import type { VerificationEvidence } from '../../src/verification/outcome.js';

const TASK_CREATED = new Date('2026-12-01T12:00:00Z');
const at = (offsetMs: number) => new Date(TASK_CREATED.getTime() + offsetMs).toISOString();
const candidate = { kind: 'comment', id: 'c1' } as unknown as VerificationEvidence;

describe('evidenceAge', () => {
  test.each<[string, string | null | undefined, Date | undefined, string]>([
    ['no task time: everything counts', at(-86_400_000), undefined, 'after'],
    ['after the task', at(1_000), TASK_CREATED, 'after'],
    ['within the clock allowance before the task', at(-EVIDENCE_CLOCK_ALLOWANCE_MS + 1_000), TASK_CREATED, 'after'],
    ['older than the allowance', at(-EVIDENCE_CLOCK_ALLOWANCE_MS - 1_000), TASK_CREATED, 'before'],
    ["Meta's +0000 form", '2026-12-01T11:00:00+0000', TASK_CREATED, 'before'],
    ['no timestamp', undefined, TASK_CREATED, 'undated'],
    ['an unreadable timestamp', 'yesterday', TASK_CREATED, 'undated'],
  ])('%s', (_what, timestamp, notBefore, expected) => {
    expect(evidenceAge(timestamp, notBefore)).toBe(expected);
  });
});

describe('EvidenceScreen', () => {
  test.each<[string, boolean | undefined, string | undefined, boolean]>([
    ['fresh evidence with no reservation rule', undefined, at(1_000), true],
    ['fresh evidence this claim reserves', true, at(1_000), true],
    ['fresh evidence another claim holds', false, at(1_000), false],
    ['old evidence, never offered for reservation', true, at(-3_600_000), false],
    ['undated evidence is not refused for age', true, undefined, true],
  ])('%s → admitted %s', async (_what, reserves, timestamp, admitted) => {
    const offered: VerificationEvidence[] = [];
    const screen = new EvidenceScreen({
      notBefore: TASK_CREATED,
      accept:
        reserves === undefined
          ? undefined
          : async (evidence) => {
              offered.push(evidence);
              return reserves;
            },
    });
    expect(await screen.admit(candidate, timestamp)).toBe(admitted);
    if (timestamp === at(-3_600_000)) expect(offered).toEqual([]);
  });

  test('not found names evidence already used before evidence too old', async () => {
    const screen = new EvidenceScreen({ notBefore: TASK_CREATED, accept: async () => false });
    await screen.admit(candidate, at(-3_600_000));
    await screen.admit(candidate, at(1_000));
    await screen.admit(candidate, at(2_000));
    const outcome = screen.notFound('no comment by @ana');
    expect(outcome).toEqual({ outcome: 'not_found', reason: 'EVIDENCE_ALREADY_USED', detail: expect.stringContaining('2 matches already verified') });
    expect(outcome).toEqual(expect.objectContaining({ detail: expect.stringContaining('1 match predated the task') }));
  });

  test('not found says the evidence predated the task', async () => {
    const screen = new EvidenceScreen({ notBefore: TASK_CREATED });
    await screen.admit(candidate, at(-3_600_000));
    expect(screen.notFound('no comment by @ana')).toEqual({
      outcome: 'not_found',
      reason: 'EVIDENCE_PREDATES_TASK',
      detail: expect.stringContaining(TASK_CREATED.toISOString()),
    });
  });

  test('passedOver says whether a match was found and refused', async () => {
    const screen = new EvidenceScreen({ notBefore: TASK_CREATED, accept: async () => false });
    expect(screen.passedOver()).toBe(false);
    await screen.admit(candidate, at(1_000));
    expect(screen.passedOver()).toBe(true);
  });

  test('not found with nothing passed over has no reason', () => {
    expect(new EvidenceScreen().notFound('no comment by @ana')).toEqual({ outcome: 'not_found', detail: 'no comment by @ana' });
  });
});
