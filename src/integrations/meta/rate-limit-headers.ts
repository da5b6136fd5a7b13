// How long Meta wants us to stay away, from its usage headers. Meta's guidance: once throttled,
// stop calling (calls keep counting and extend the block), so the longest hint wins.
//  - X-Business-Use-Case-Usage: {"<object-id>": [{type, call_count, ..., estimated_time_to_regain_access}]},
//    the time in MINUTES; up to 32 objects per response.
//  - X-App-Usage: {call_count, total_cputime, total_time} percentages. Meta documents no time in it;
//    if a response ever carries estimated_time_to_regain_access there we read it the same way.
//  - X-Ad-Account-Usage: reset_time_duration in seconds (old Ads API).
//  - Retry-After: standard HTTP (proxies, or a future Meta).
// Absence of the headers means nothing: Meta only sends them after "enough calls".
import { retryAfterMsFromHeader } from '../outbound-error.js';

type HeaderValue = string | string[] | undefined;
export type HeaderBag = Readonly<Record<string, HeaderValue>>;

const MINUTE_MS = 60_000;

export function retryAfterMsFromMetaHeaders(headers: HeaderBag, now: number = Date.now()): number | undefined {
  const hints = [
    bucRegainMs(header(headers, 'x-business-use-case-usage')),
    usageRegainMs(header(headers, 'x-app-usage')),
    adAccountResetMs(header(headers, 'x-ad-account-usage')),
    retryAfterMsFromHeader(header(headers, 'retry-after'), now),
  ].filter((ms): ms is number => ms !== undefined && ms > 0);
  return hints.length > 0 ? Math.max(...hints) : undefined;
}

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function minutesToMs(value: unknown): number | undefined {
  const minutes = typeof value === 'string' ? Number(value) : value;
  return typeof minutes === 'number' && Number.isFinite(minutes) && minutes > 0 ? Math.round(minutes * MINUTE_MS) : undefined;
}

function bucRegainMs(text: string | undefined): number | undefined {
  const parsed = parseJson(text);
  if (!parsed || typeof parsed !== 'object') return undefined;
  let longest: number | undefined;
  for (const entries of Object.values(parsed as Record<string, unknown>)) {
    for (const entry of Array.isArray(entries) ? entries : [entries]) {
      if (!entry || typeof entry !== 'object') continue;
      const ms = minutesToMs((entry as Record<string, unknown>).estimated_time_to_regain_access);
      if (ms !== undefined && (longest === undefined || ms > longest)) longest = ms;
    }
  }
  return longest;
}

function usageRegainMs(text: string | undefined): number | undefined {
  const parsed = parseJson(text);
  if (!parsed || typeof parsed !== 'object') return undefined;
  return minutesToMs((parsed as Record<string, unknown>).estimated_time_to_regain_access);
}

function adAccountResetMs(text: string | undefined): number | undefined {
  const parsed = parseJson(text);
  if (!parsed || typeof parsed !== 'object') return undefined;
  const seconds = Number((parsed as Record<string, unknown>).reset_time_duration);
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : undefined;
}
