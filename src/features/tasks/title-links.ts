// A task's title goes into the WhatsApp message that tells the end user their task was verified,
// sent from a tenant's number or the platform's. So that the message cannot carry a phishing link,
// a title may name no link but our own (the campaign site, PUBLIC_APP_URL): schemes, "www." and
// bare domains ("evil.example/login") are all links to a chat app. An @handle ("@acme.store") is
// not a link. The title's length is capped by the schema (task-input.ts).
import { AppError } from '../../http/errors.js';

// scheme://…, www.…, or a bare domain (labels, a dot, a 2–63 letter TLD) not part of an @handle or an e-mail.
const LINK = /[a-z][a-z0-9+.-]*:\/\/\S+|\bwww\.\S+|(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}\b(?:[/:?#]\S*)?/giu;

/** The links in `title` that do not lead to our own site. */
export function foreignLinksIn(title: string, publicAppUrl: string): string[] {
  const ours = new URL(publicAppUrl);
  return [...title.normalize('NFKC').matchAll(LINK)].map((match) => match[0]).filter((link) => !isOurs(link, ours));
}

function isOurs(link: string, ours: URL): boolean {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(link) ? link : `${ours.protocol}//${link}`);
    return url.protocol === ours.protocol && url.host === ours.host && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/** 422 naming `title` when it carries a link that is not ours. */
export function refuseForeignLinks(title: string | undefined, publicAppUrl: string): void {
  if (title === undefined) return;
  const foreign = foreignLinksIn(title, publicAppUrl);
  if (foreign.length === 0) return;
  throw new AppError('VALIDATION_FAILED', 'invalid request body', [
    { path: 'title', message: `a task title goes into WhatsApp messages and may contain no links but the campaign's (found ${foreign[0]})` },
  ]);
}
