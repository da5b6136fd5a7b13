// Meta's delivery statuses for the messages the fake accepted, POSTed to a webhook URL as Meta does:
// signed with the app secret (X-Hub-Signature-256), one `statuses` change per status, echoing the
// message's biz_opaque_callback_data. Each status goes out `afterMs` after the message was accepted,
// whatever happened to the sender meanwhile (a sender killed before reading the answer still gets
// them), and is retried every second while the receiver is down or answers non-2xx, as Meta retries.
import { createHmac } from 'node:crypto';
import type { FakeMetaState, FakeSentMessage } from './state.js';

export interface StatusWebhookOptions {
  /** Where to POST (our API's /webhooks/meta) */
  readonly url: string;
  /** Which statuses each accepted message gets, and when after acceptance */
  readonly statuses: readonly { readonly status: 'sent' | 'delivered' | 'read'; readonly afterMs: number }[];
  /** Give up on a status after this many failed deliveries (default 120) */
  readonly maxAttempts?: number;
}

export interface StatusWebhookSender {
  /** Schedules the statuses of one newly accepted message */
  accepted(message: FakeSentMessage): void;
  /** POSTs one more status of an accepted message now (e.g. `delivered` once a test has seen `sent` applied) */
  report(message: FakeSentMessage, status: 'sent' | 'delivered' | 'read'): void;
  /** Statuses delivered (answered 2xx) so far */
  readonly delivered: number;
  close(): void;
}

export function startStatusWebhooks(state: FakeMetaState, options: StatusWebhookOptions): StatusWebhookSender {
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let delivered = 0;
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) run();
    }, ms);
    timers.add(timer);
  };

  async function post(body: string, attempt: number): Promise<void> {
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': `sha256=${createHmac('sha256', state.appSecret).update(body).digest('hex')}`,
        },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      if (response.ok) {
        delivered++;
        return;
      }
    } catch {
      // The receiver is down: retried below.
    }
    if (attempt < (options.maxAttempts ?? 120)) later(1_000, () => void post(body, attempt + 1));
  }

  function statusBody(message: FakeSentMessage, status: string, at: number): string {
    const phone = state.phoneNumbers.get(message.phoneNumberId);
    return JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: phone?.wabaId ?? '0',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: (phone?.displayPhoneNumber ?? '').replace(/\D/g, ''), phone_number_id: message.phoneNumberId },
                statuses: [
                  {
                    id: message.id,
                    status,
                    timestamp: String(Math.floor(at / 1000)),
                    recipient_id: message.waId,
                    ...(message.bizOpaqueCallbackData ? { biz_opaque_callback_data: message.bizOpaqueCallbackData } : {}),
                  },
                ],
              },
            },
          ],
        },
      ],
    });
  }

  return {
    accepted(message) {
      for (const { status, afterMs } of options.statuses) later(afterMs, () => void post(statusBody(message, status, message.at + afterMs), 1));
    },
    report(message, status) {
      void post(statusBody(message, status, Date.now()), 1);
    },
    get delivered() {
      return delivered;
    },
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
