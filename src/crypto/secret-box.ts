// AES-256-GCM envelopes for every secret we store. Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>`
// (base64url parts). The key id is a hash prefix of the key, so a later rotation can keep an old
// key around and pick the right one for each value.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretBoxError';
  }
}

export interface SecretBox {
  seal(plaintext: string): string;
  open(envelope: string): string;
  sealJson(value: unknown): string;
  openJson<T>(envelope: string): T;
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** `keys[0]` seals; every key in the list can open (for rotation). */
export function createSecretBox(keys: Buffer[]): SecretBox {
  if (keys.length === 0 || keys.some((key) => key.length !== 32)) {
    throw new SecretBoxError('every encryption key must be 32 bytes');
  }
  const byId = new Map(keys.map((key) => [keyIdOf(key), key]));
  const sealingKey = keys[0]!;
  const sealingKeyId = keyIdOf(sealingKey);

  const seal = (plaintext: string): string => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', sealingKey, iv);
    // The key id and version are bound as associated data: swapping them is detected.
    cipher.setAAD(Buffer.from(`${VERSION}.${sealingKeyId}`));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, sealingKeyId, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
  };

  const open = (envelope: string): string => {
    const parts = envelope.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError('not a sealed secret');
    const [, keyId, ivText, tagText, ciphertextText] = parts as [string, string, string, string, string];
    const key = byId.get(keyId);
    if (!key) throw new SecretBoxError(`no key with id ${keyId}`);
    try {
      // A fixed tag length: without it Node accepts tags cut down to 4 bytes, i.e. 32-bit authentication.
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(`${VERSION}.${keyId}`));
      decipher.setAuthTag(Buffer.from(tagText, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new SecretBoxError('sealed secret failed authentication (tampered or wrong key)', { cause: error });
    }
  };

  return {
    seal,
    open,
    sealJson: (value) => seal(JSON.stringify(value)),
    openJson: <T>(envelope: string) => JSON.parse(open(envelope)) as T,
  };
}

/** What an API may show of a secret: its last four characters. */
export function maskSecret(secret: string): string {
  return secret.length <= 4 ? '****' : `****${secret.slice(-4)}`;
}
