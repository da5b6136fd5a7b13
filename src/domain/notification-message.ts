// The notice a user gets when a claim is verified: free text for providers and in-window Cloud API
// sends, positional parameters for a campaign's approved template. Pure, so activities and workflows
// build the same words.

export interface NotificationContent {
  readonly userName: string;
  readonly taskTitle: string;
  /**
   * Other tasks of the same campaign verified for this user and due at the same time: one message
   * lists them all (WhatsApp takes one message per 6 s per recipient). `spins` is then the total.
   */
  readonly moreTaskTitles?: readonly string[];
  /** spins added by the task(s); a non-negative integer */
  readonly spins: number;
  /** see campaignLink */
  readonly campaignUrl: string;
}

const MAX_TITLE_LENGTH = 200;
const MAX_NAME_LENGTH = 60;
const NAME_FALLBACK = 'friend';

/** `{publicAppUrl}/campaigns/{campaignId}`, with exactly one slash between the parts. */
export function campaignLink(publicAppUrl: string, campaignId: string): string {
  const base = publicAppUrl.trim().replace(/\/+$/, '');
  if (!base) throw new RangeError('publicAppUrl is empty');
  if (!campaignId) throw new RangeError('campaignId is empty');
  return `${base}/campaigns/${encodeURIComponent(campaignId)}`;
}

export function spinsPhrase(spins: number): string {
  if (!Number.isInteger(spins) || spins < 0) throw new RangeError(`spins must be a non-negative integer, got ${String(spins)}`);
  return spins === 1 ? '1 spin' : `${spins} spins`;
}

// User-entered text goes into one line of a chat message: collapse whitespace (newlines included) and
// cap the length, so an odd title cannot bury the link or push the text past WhatsApp's 4096 characters.
function oneLine(text: string, maxLength: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= maxLength ? flat : `${flat.slice(0, maxLength - 1).trimEnd()}…`;
}

/**
 * e.g. `Congratulations, Ana! Your task "Follow us on Instagram" was verified and 3 spins were added
 * to your account. Spin now: https://app.example.com/campaigns/c1`
 */
export function composeNotificationText(content: NotificationContent): string {
  const name = oneLine(content.userName, MAX_NAME_LENGTH);
  const spins = spinsPhrase(content.spins);
  const greeting = name ? `Congratulations, ${name}!` : 'Congratulations!';
  const added = content.spins === 1 ? `${spins} was added` : `${spins} were added`;
  const titles = allTitles(content).map((title) => `"${title}"`);
  const tasks = titles.length === 1 ? `Your task ${titles[0]} was verified` : `Your tasks ${listPhrase(titles)} were verified`;
  return `${greeting} ${tasks} and ${added} to your account. Spin now: ${content.campaignUrl}`;
}

/** e.g. `"A", "B" and "C"` */
function listPhrase(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function allTitles(content: NotificationContent): string[] {
  return [content.taskTitle, ...(content.moreTaskTitles ?? [])].map((title) => oneLine(title, MAX_TITLE_LENGTH));
}

/**
 * The positional body parameters of a campaign's approved template, in this order: {{1}} user name,
 * {{2}} task title, {{3}} number of spins, {{4}} campaign link (the Cloud API client wraps each as
 * `{type: 'text', text}`). Cloud API rejects empty parameters and ones with newlines or tabs, so text
 * is flattened and a blank name becomes "friend".
 */
/** How many positional body parameters ({{1}}…{{4}}) a campaign's template must take: name, tasks, spins, link. */
export const TEMPLATE_BODY_PARAMETER_COUNT = 4;

export function templateBodyParameters(content: NotificationContent): string[] {
  spinsPhrase(content.spins);
  return [
    oneLine(content.userName, MAX_NAME_LENGTH) || NAME_FALLBACK,
    oneLine(listPhrase(allTitles(content)), MAX_TITLE_LENGTH * 2) || '-',
    String(content.spins),
    content.campaignUrl,
  ];
}
