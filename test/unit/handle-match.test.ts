// Handles as users type them: "@Maria.Silva ", "maria.silva", "MARIA.SILVA" are one handle.
import { firstHandle, normalizeHandle, sameHandle } from '../../src/verification/handle-match.js';

describe('normalizeHandle', () => {
  test.each<[unknown, string | undefined]>([
    ['@Maria.Silva ', 'maria.silva'],
    ['MARIA.SILVA', 'maria.silva'],
    ['@@maria', 'maria'],
    ['  Ana   Lima  ', 'ana lima'],
    ['ｍａｒｉａ', 'maria'],
    ['@', undefined],
    ['   ', undefined],
    ['', undefined],
    [null, undefined],
    [undefined, undefined],
    [42, undefined],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeHandle(raw as string)).toBe(expected);
  });
});

describe('sameHandle', () => {
  test.each<[string | null | undefined, string | null | undefined, boolean]>([
    ['@Maria.Silva', 'maria.silva', true],
    ['Ana Lima', 'ana  lima', true],
    ['maria', 'mariana', false],
    ['@', '@', false],
    [undefined, undefined, false],
    [null, 'maria', false],
  ])('%j and %j → %s', (a, b, expected) => {
    expect(sameHandle(a, b)).toBe(expected);
  });
});

describe('firstHandle', () => {
  test.each<[(string | null | undefined)[], string | undefined]>([
    [['@Claim.Handle', 'stored'], 'claim.handle'],
    [[undefined, '  ', '@Stored'], 'stored'],
    [['@', null], undefined],
    [[], undefined],
  ])('%j → %j', (candidates, expected) => {
    expect(firstHandle(...candidates)).toBe(expected);
  });
});
