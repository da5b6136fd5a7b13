// GET /meta/callback?code=&state= (public: Meta redirects the admin's browser here). It stores
// nothing and exchanges nothing: it hands `code` and `state` to the tenant's dashboard, which
// completes the connection with the admin's JWT (POST /api/v1/meta/oauth/complete). So whoever's
// browser Meta sent here, the connection lands only where the admin who started it is signed in.
//
// The page is ours alone: no third-party script, a CSP that allows only its own nonce'd inline
// script, no referrer (the code is in our URL), never cached, never framed.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AppConfig } from '../../config.js';
import type { StateSigner } from './oauth-state.js';

const text = z.string().max(2048).optional();
const querySchema = z.object({ code: text, state: text, error: text, error_reason: text, error_description: text, error_code: text });

export const CALLBACK_MESSAGE_TYPE = 'meta-oauth-callback';

export interface CallbackPage {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly html: string;
}

const MISTAKE =
  'If you did not just start connecting a WhatsApp account from your own dashboard, close this window: nothing has been ' +
  'connected, and nothing will be unless you are signed in to the dashboard as the admin who started it. Someone may have ' +
  'sent you this link to get your WhatsApp Business account connected to their account.';

export function renderCallbackPage(deps: { config: AppConfig; signer: StateSigner }, query: unknown): CallbackPage {
  const dashboardOrigin = deps.config.meta.dashboardOrigin ?? originOf(deps.config.meta.dashboardUrl);
  const params = querySchema.safeParse(query);
  if (!params.success) return page(400, 'This link is not valid', 'The sign-in answer from Meta is malformed. Start again from your dashboard.');
  const { code, state, error, error_reason: reason } = params.data;

  // Checked without spending it (the page stores nothing): a forged or stale state is not handed on.
  try {
    deps.signer.verify(state);
  } catch {
    return page(
      400,
      'This link is not valid',
      'It has expired (links are valid for 10 minutes) or was not issued by us. Start again from your dashboard.',
    );
  }
  if (!dashboardOrigin) {
    return page(
      409,
      'Connecting is not configured',
      'The platform has not set META_DASHBOARD_ORIGIN / META_DASHBOARD_URL; tell your platform operator.',
    );
  }
  const failed = error !== undefined || reason !== undefined || !code;
  // Whoever crafts the link chooses error, error_reason and error_description: none of their text
  // reaches our page or the dashboard. Only a code we know is named, in our own words.
  const errorCode = failed ? knownErrorCode(error, code) : undefined;
  const handoff = errorCode ? { type: CALLBACK_MESSAGE_TYPE, state, error: errorCode } : { type: CALLBACK_MESSAGE_TYPE, code, state };
  const redirect = deps.config.meta.dashboardUrl ? withParams(deps.config.meta.dashboardUrl, handoff) : undefined;
  const nonce = randomBytes(16).toString('base64');
  const title = errorCode ? 'Meta did not authorize the connection' : 'Finishing the WhatsApp connection…';
  const lead = errorCode
    ? `${OAUTH_ERROR_SENTENCES[errorCode]} Return to your dashboard to try again.`
    : 'Handing this sign-in to your dashboard, which finishes the connection for the admin who started it.';
  const script = `
(function () {
  var data = JSON.parse(document.getElementById('handoff').textContent);
  var status = document.getElementById('status');
  if (window.opener && !window.opener.closed) {
    window.opener.postMessage(data.message, data.origin);
    status.textContent = 'Done: you can close this window.';
    window.close();
  } else if (data.redirect) {
    location.replace(data.redirect);
  } else {
    status.textContent = 'Open your dashboard to finish connecting.';
  }
})();`;
  const payload = { message: handoff, origin: dashboardOrigin, redirect };
  return page(200, title, lead, { nonce, script, payload });
}

function page(status: number, title: string, lead: string, live?: { nonce: string; script: string; payload: unknown }): CallbackPage {
  const scriptSrc = live ? `'nonce-${live.nonce}'` : `'none'`;
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-security-policy': [
      "default-src 'none'",
      `script-src ${scriptSrc}`,
      "style-src 'unsafe-inline'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  };
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(lead)}</p>
<p id="status"></p>
<p><strong>Opened this by mistake?</strong> ${escapeHtml(MISTAKE)}</p>
${live ? `<script type="application/json" id="handoff">${jsonForHtml(live.payload)}</script>\n<script nonce="${live.nonce}">${live.script}</script>` : ''}
</body>
</html>`;
  return { status, headers, html };
}

function originOf(url: string | undefined): string | undefined {
  return url ? new URL(url).origin : undefined;
}

function withParams(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) if (value !== undefined && name !== 'type') url.searchParams.set(name, value);
  return url.toString();
}

// Inside <script type="application/json">: no "</script>", no HTML comment openers, no U+2028/2029 surprises.
function jsonForHtml(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The `error` codes of Meta's login dialog redirect (OAuth 2.0's authorization errors; a cancelled
 * dialog is `access_denied`), each with our own sentence; `no_code` when Meta sent neither a code
 * nor an error we know of.
 */
const OAUTH_ERROR_SENTENCES = {
  access_denied: 'The sign-in was cancelled, or the requested permissions were not granted.',
  invalid_request: 'Meta could not process the sign-in request.',
  unauthorized_client: 'This app is not allowed to ask for this sign-in.',
  unsupported_response_type: 'Meta could not process the sign-in request.',
  invalid_scope: 'Meta did not accept the permissions the app asked for.',
  server_error: 'Meta had a problem completing the sign-in.',
  temporarily_unavailable: 'Meta is temporarily unavailable.',
  no_code: 'Meta did not send an authorization.',
  unrecognized_error: 'Meta reported an error we do not recognise.',
} as const;

export type OAuthErrorCode = keyof typeof OAUTH_ERROR_SENTENCES;

function knownErrorCode(error: string | undefined, code: string | undefined): OAuthErrorCode {
  if (error !== undefined && error !== 'no_code' && Object.hasOwn(OAUTH_ERROR_SENTENCES, error)) return error as OAuthErrorCode;
  if (error === undefined && !code) return 'no_code';
  return 'unrecognized_error';
}
