// The templates of a WABA with one name, whatever their status (GET /{waba-id}/message_templates?name=…):
// what a campaign's save checks, so that a refusal can name Meta's status (PENDING, REJECTED, PAUSED…).
import type { GraphClient } from './graph-client.js';
import { graphIdSegment } from './graph-ids.js';

export interface NamedTemplate {
  readonly name: string;
  readonly language: string;
  readonly status: string;
  /** MARKETING | UTILITY | AUTHENTICATION */
  readonly category: string;
  readonly components: unknown[];
}

const MAX_PAGES = 5;

export async function listTemplatesNamed(client: GraphClient, wabaId: string, token: string, name: string): Promise<NamedTemplate[]> {
  const pages = client.paginate<{ name?: string; language?: string; status?: string; category?: string; components?: unknown[] }>(
    `/${graphIdSegment(wabaId, 'WABA id')}/message_templates`,
    { fields: 'name,language,status,category,components', name, limit: 100 },
    token,
    { maxPages: MAX_PAGES },
  );
  const templates: NamedTemplate[] = [];
  for await (const node of pages) {
    // The name filter is a server-side convenience; the check here is what we rely on.
    if (node.name !== name || !node.language) continue;
    templates.push({
      name: node.name,
      language: node.language,
      status: node.status ?? 'UNKNOWN',
      category: node.category ?? 'UNKNOWN',
      components: node.components ?? [],
    });
  }
  return templates;
}
