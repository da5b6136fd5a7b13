// The helpers that keep metric labels bounded and free of ids.
import { metaOperation } from '../../src/observability/outbound-http.js';
import { webhookDeliveryLabels } from '../../src/observability/webhook-delivery-labels.js';
import { metricsRequestAllowed } from '../../src/observability/metrics-auth.js';

describe('metaOperation: a Graph path becomes a label without ids or the version', () => {
  test.each([
    ['/v26.0/17841400000000001/comments', '/{id}/comments'],
    ['/v26.0/106540352242922/messages', '/{id}/messages'],
    ['/v26.0/123_456/reactions', '/{id}/reactions'],
    ['/v26.0/oauth/access_token', '/oauth/access_token'],
    ['/v26.0/debug_token', '/debug_token'],
    ['/v26.0/me/accounts', '/me/accounts'],
    [`/v26.0/${'a'.repeat(60)}/edge`, '/{id}/edge'],
  ])('%s → %s', (path, operation) => {
    expect(metaOperation(path)).toBe(operation);
  });
});

describe('webhookDeliveryLabels', () => {
  const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
  test.each([
    [200, body, { object: 'whatsapp_business_account', signature: 'valid', result: 'stored' }],
    [400, Buffer.from('{"object":"page", nope'), { object: 'page', signature: 'valid', result: 'invalid_json' }],
    [200, Buffer.from('{"object":"made_up_object_type"}'), { object: 'other', signature: 'valid', result: 'stored' }],
    // An unsigned body is never read: its object is not a label an attacker could choose.
    [401, body, { object: 'unknown', signature: 'invalid', result: 'rejected' }],
    [503, body, { object: 'unknown', signature: 'unverifiable', result: 'rejected' }],
    [413, undefined, { object: 'unknown', signature: 'unchecked', result: 'too_large' }],
  ])('%s', (status, raw, labels) => {
    expect(webhookDeliveryLabels(status, raw)).toEqual(labels);
  });
});

describe('metricsRequestAllowed', () => {
  const token = 'metrics-token-0123456789';
  test('open without a token; with one, only the exact bearer value passes', () => {
    expect(metricsRequestAllowed(undefined, undefined)).toBe(true);
    expect(metricsRequestAllowed(`Bearer ${token}`, token)).toBe(true);
    expect(metricsRequestAllowed(undefined, token)).toBe(false);
    expect(metricsRequestAllowed(token, token)).toBe(false);
    expect(metricsRequestAllowed(`Bearer ${token}x`, token)).toBe(false);
    expect(metricsRequestAllowed(`Bearer ${token.slice(0, -1)}`, token)).toBe(false);
    expect(metricsRequestAllowed(`Basic ${token}`, token)).toBe(false);
  });
});
