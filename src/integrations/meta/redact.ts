// Error messages leave this module and end up in logs, Temporal failure messages and claim
// details. Anything that might echo a secret (Meta's own message, a socket error) goes through here.

/** Query/body parameters whose values are credentials (Meta takes several in the query string). */
export const SECRET_PARAMS = new Set(['access_token', 'appsecret_proof', 'client_secret', 'code', 'fb_exchange_token', 'input_token', 'pin']);

const MIN_SECRET_LENGTH = 4;
const MAX_MESSAGE_LENGTH = 500;

export type Redactor = (text: string) => string;

export function createRedactor(secrets: Iterable<string | undefined>): Redactor {
  const values = [...new Set([...secrets].filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))]
    // Longest first so a token that contains another secret is removed whole.
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of values) out = out.split(secret).join('[redacted]');
    // Belt and braces for anything shaped like a credential parameter we were not told about.
    out = out.replace(/((?:access_token|appsecret_proof|client_secret|fb_exchange_token|input_token)=)[^&\s"']+/gi, '$1[redacted]');
    return out.length > MAX_MESSAGE_LENGTH ? `${out.slice(0, MAX_MESSAGE_LENGTH)}…` : out;
  };
}

/** Values of credential-bearing params, for createRedactor. */
export function secretParamValues(params: Record<string, unknown> | undefined): string[] {
  if (!params) return [];
  return Object.entries(params)
    .filter(([key, value]) => SECRET_PARAMS.has(key) && typeof value === 'string')
    .map(([, value]) => value as string);
}
