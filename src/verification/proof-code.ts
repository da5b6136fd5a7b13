// Proof codes: a short code given with a claim that the end user writes in their comment. Finding
// the code proves the comment was written for this claim, whoever's account wrote it, so a
// handle typed by someone else cannot collect the reward.
import { randomInt } from 'node:crypto';

/** No 0/O, 1/I/L, U/V: read aloud or copied from a phone screen, they cannot be confused. */
export const PROOF_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTWXYZ';
export const PROOF_CODE_LENGTH = 6;
export const PROOF_CODE_PREFIX = 'SPIN-';

/** e.g. SPIN-7K4Q2M: 29^6 ≈ 595 million codes; the database's unique key catches the rare repeat. */
export function generateProofCode(): string {
  let body = '';
  for (let i = 0; i < PROOF_CODE_LENGTH; i++) body += PROOF_CODE_ALPHABET[randomInt(PROOF_CODE_ALPHABET.length)];
  return `${PROOF_CODE_PREFIX}${body}`;
}

/**
 * Whether `text` carries the code as a word of its own, ignoring case and accepting it with or
 * without the prefix ("spin-7k4q2m", "SPIN 7K4Q2M", "7K4Q2M!"), but not inside a longer word.
 */
export function containsProofCode(text: string | null | undefined, proofCode: string): boolean {
  if (!text) return false;
  const body = proofCode.toUpperCase().startsWith(PROOF_CODE_PREFIX) ? proofCode.slice(PROOF_CODE_PREFIX.length) : proofCode;
  const words = text
    .normalize('NFKC')
    .toUpperCase()
    .split(/[^A-Z0-9]+/);
  return words.includes(body.toUpperCase());
}
