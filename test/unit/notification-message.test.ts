import { campaignLink, composeNotificationText, spinsPhrase, templateBodyParameters } from '../../src/domain/notification-message.js';

describe('campaignLink', () => {
  test.each([
    ['https://app.example.com', 'c1', 'https://app.example.com/campaigns/c1'],
    ['https://app.example.com/', 'c1', 'https://app.example.com/campaigns/c1'],
    ['https://app.example.com//', 'c1', 'https://app.example.com/campaigns/c1'],
    ['https://example.com/app/', 'c1', 'https://example.com/app/campaigns/c1'],
    ['http://localhost:3000', 'cm9x7a0b1', 'http://localhost:3000/campaigns/cm9x7a0b1'],
    ['http://localhost:3000', 'a b/c', 'http://localhost:3000/campaigns/a%20b%2Fc'],
  ])('%s + %s → %s', (base, id, link) => {
    expect(campaignLink(base, id)).toBe(link);
  });

  test('empty parts are rejected', () => {
    expect(() => campaignLink('', 'c1')).toThrow(RangeError);
    expect(() => campaignLink('https://app.example.com', '')).toThrow(RangeError);
  });
});

describe('composeNotificationText', () => {
  const campaignUrl = 'https://app.example.com/campaigns/c1';

  test('congratulates by name with the task, the spins and the link', () => {
    expect(composeNotificationText({ userName: 'Ana', taskTitle: 'Follow us on Instagram', spins: 3, campaignUrl })).toBe(
      'Congratulations, Ana! Your task "Follow us on Instagram" was verified and 3 spins were added to your account. ' +
        'Spin now: https://app.example.com/campaigns/c1',
    );
  });

  test.each([
    [1, '1 spin was added'],
    [2, '2 spins were added'],
    [0, '0 spins were added'],
  ])('%i spin(s): "%s"', (spins, phrase) => {
    expect(composeNotificationText({ userName: 'Ana', taskTitle: 'Like', spins, campaignUrl })).toContain(` ${phrase} `);
  });

  test('a blank name gives a greeting without a name', () => {
    expect(composeNotificationText({ userName: '  ', taskTitle: 'Like', spins: 1, campaignUrl })).toMatch(/^Congratulations! Your task "Like"/);
  });

  test('user-entered text is flattened to one line and long titles are capped', () => {
    const text = composeNotificationText({ userName: 'Ana\nMaría', taskTitle: `Share\tthis ${'x'.repeat(500)}`, spins: 2, campaignUrl });
    expect(text).not.toMatch(/[\n\t]/);
    expect(text).toContain('Congratulations, Ana María!');
    expect(text.length).toBeLessThan(400);
    expect(text.endsWith(campaignUrl)).toBe(true);
  });

  test.each([-1, 1.5, Number.NaN])('spins %p is rejected', (spins) => {
    expect(() => composeNotificationText({ userName: 'Ana', taskTitle: 'Like', spins, campaignUrl })).toThrow(/non-negative integer/);
    expect(() => spinsPhrase(spins)).toThrow(RangeError);
  });
});

describe('templateBodyParameters', () => {
  const campaignUrl = 'https://app.example.com/campaigns/c1';

  test('name, task title, spins, link in that order', () => {
    expect(templateBodyParameters({ userName: 'Ana', taskTitle: 'Follow us', spins: 5, campaignUrl })).toEqual([
      'Ana',
      'Follow us',
      '5',
      campaignUrl,
    ]);
  });

  test('no parameter is empty or multi-line (Cloud API rejects those)', () => {
    const parameters = templateBodyParameters({ userName: ' ', taskTitle: 'Comment\n\non   our post', spins: 0, campaignUrl });
    expect(parameters).toEqual(['friend', 'Comment on our post', '0', campaignUrl]);
  });
});
