import { randomBytes } from 'node:crypto';
import { createSecretBox, keyIdOf, maskSecret, SecretBoxError } from '../../src/crypto/secret-box.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);

/** Replaces one dot-separated part of an envelope (0 version, 1 key id, 2 iv, 3 tag, 4 ciphertext). */
function withPart(envelope: string, index: number, replace: (part: string) => string): string {
  const parts = envelope.split('.');
  parts[index] = replace(parts[index]!);
  return parts.join('.');
}

/** Flips one bit of a base64url part's bytes (editing the text could only touch padding bits). */
function flipBit(part: string, byte = 0): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[byte] = bytes[byte]! ^ 0x01;
  return bytes.toString('base64url');
}

describe('createSecretBox', () => {
  test.each(['a token', '', 'ünïcødé ✓ 🔐', 'x'.repeat(10_000)])('seals and opens %#', (plaintext) => {
    const box = createSecretBox([keyA]);
    expect(box.open(box.seal(plaintext))).toBe(plaintext);
  });

  test('seals JSON values', () => {
    const box = createSecretBox([keyA]);
    const value = { apiUrl: 'https://wa.example', apiKey: 'k-123', nested: [1, null, true] };
    expect(box.openJson(box.sealJson(value))).toEqual(value);
  });

  test('the envelope is v1.<keyId>.<iv>.<tag>.<ciphertext> and does not contain the plaintext', () => {
    const box = createSecretBox([keyA]);
    const envelope = box.seal('super-secret-token');
    const [version, keyId, iv, tag, ciphertext] = envelope.split('.');
    expect(version).toBe('v1');
    expect(keyId).toBe(keyIdOf(keyA));
    expect(Buffer.from(iv!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(ciphertext!, 'base64url')).toHaveLength('super-secret-token'.length);
    expect(envelope).not.toContain('super-secret');
  });

  test('a random IV makes two seals of the same plaintext differ', () => {
    const box = createSecretBox([keyA]);
    const first = box.seal('same');
    const second = box.seal('same');
    expect(first).not.toBe(second);
    expect(first.split('.')[2]).not.toBe(second.split('.')[2]);
    expect(box.open(first)).toBe('same');
    expect(box.open(second)).toBe('same');
  });

  test.each([
    ['ciphertext', 4],
    ['tag', 3],
    ['iv', 2],
  ])('rejects a tampered %s', (_name, index) => {
    const box = createSecretBox([keyA]);
    const tampered = withPart(box.seal('a token worth stealing'), index, (part) => flipBit(part));
    expect(() => box.open(tampered)).toThrow(SecretBoxError);
    expect(() => box.open(tampered)).toThrow('sealed secret failed authentication (tampered or wrong key)');
  });

  test.each([4, 8, 12, 15])('rejects a tag truncated to %d bytes (GCM would verify the prefix only)', (length) => {
    const box = createSecretBox([keyA]);
    const truncated = withPart(box.seal('a token'), 3, (tag) => Buffer.from(tag, 'base64url').subarray(0, length).toString('base64url'));
    expect(() => box.open(truncated)).toThrow('sealed secret failed authentication');
  });

  test('rejects a key id swapped for another known key (the key id is authenticated)', () => {
    const box = createSecretBox([keyA, keyB]);
    const swapped = withPart(box.seal('a token'), 1, () => keyIdOf(keyB));
    expect(() => box.open(swapped)).toThrow('sealed secret failed authentication');
  });

  test('rejects a key id it does not know', () => {
    const box = createSecretBox([keyA]);
    const unknown = withPart(box.seal('a token'), 1, () => 'deadbeef');
    expect(() => box.open(unknown)).toThrow(new SecretBoxError('no key with id deadbeef'));
  });

  test('a box with another key cannot open the envelope', () => {
    const sealed = createSecretBox([keyA]).seal('a token');
    expect(() => createSecretBox([keyB]).open(sealed)).toThrow(SecretBoxError);
  });

  test('a wrong key under the right key id fails authentication', () => {
    const sealed = createSecretBox([keyA]).seal('a token');
    const forged = withPart(sealed, 1, () => keyIdOf(keyB));
    // keyB's box finds "its" key id but the tag was made with keyA.
    expect(() => createSecretBox([keyB]).open(forged)).toThrow('sealed secret failed authentication');
  });

  test.each(['', 'plain text', 'v2.a.b.c.d', 'v1.a.b.c', 'v1.a.b.c.d.e'])('rejects %j as not a sealed secret', (value) => {
    expect(() => createSecretBox([keyA]).open(value)).toThrow(new SecretBoxError('not a sealed secret'));
  });

  test('rotation: the first key seals, an older key listed second still opens', () => {
    const old = createSecretBox([keyA]);
    const sealedWithOld = old.seal('issued before rotation');
    const rotated = createSecretBox([keyB, keyA]);

    expect(rotated.open(sealedWithOld)).toBe('issued before rotation');
    const sealedAfter = rotated.seal('issued after rotation');
    expect(sealedAfter.split('.')[1]).toBe(keyIdOf(keyB));
    expect(() => old.open(sealedAfter)).toThrow(SecretBoxError);
    expect(createSecretBox([keyB]).open(sealedAfter)).toBe('issued after rotation');
  });

  test.each([[[]], [[randomBytes(16)]], [[keyA, randomBytes(31)]]])('refuses keys that are not 32 bytes (%#)', (keys) => {
    expect(() => createSecretBox(keys)).toThrow(new SecretBoxError('every encryption key must be 32 bytes'));
  });
});

describe('maskSecret', () => {
  test.each([
    ['EAAGm0PX4ZCpsBA', '****psBA'],
    ['abcdefgh', '****efgh'],
    ['abcde', '****bcde'],
    ['abcd', '****'],
    ['abc', '****'],
    ['', '****'],
  ])('masks %j as %j', (secret, masked) => {
    expect(maskSecret(secret)).toBe(masked);
  });
});
