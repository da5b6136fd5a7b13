// Structured JSON logs. Redaction is a second line of defence: secrets should never reach a log
// call in the first place.
import { pino, type DestinationStream, type Logger } from 'pino';
import { currentLogFields } from './observability/log-context.js';

export type { Logger };

export const REDACTED_PATHS = [
  '*.accessToken',
  '*.access_token',
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.password',
  '*.secret',
  '*.authorization',
  '*.Authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.facebookToken',
  '*.instagramToken',
  '*.appSecret',
  '*.jwtSecret',
  '*.client_secret',
  '*.appsecret_proof',
  '*.code',
];

/** `destination` defaults to stdout; tests pass a stream to read what a process would print. */
export function createLogger(
  options: { level?: string; name?: string; destination?: DestinationStream } = {},
  destination: DestinationStream | undefined = options.destination,
): Logger {
  const settings = {
    name: options.name ?? 'social-tasks',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // traceId, spanId and claimId of the request or activity this line belongs to.
    mixin: currentLogFields,
  };
  return destination ? pino(settings, destination) : pino(settings);
}
