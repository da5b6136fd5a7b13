// The `fields` parameter, as Meta reads it: `id,text,from{id,username},replies.limit(5){id}` and
// `mentioned_comment.comment_id(123){text}`. Meta returns only what was asked (plus `id`), so the
// fake does too: a client that forgets `username` gets no username, like in production.

export interface FieldSpec {
  readonly name: string;
  /** `.limit(5)` → { limit: '5' } */
  readonly modifiers: Readonly<Record<string, string>>;
  /** `{...}` sub-selection; undefined when none was given */
  readonly children: FieldSpec[] | undefined;
}

export function parseFields(text: string | null | undefined): FieldSpec[] | undefined {
  if (!text) return undefined;
  let index = 0;
  const list = (): FieldSpec[] => {
    const specs: FieldSpec[] = [];
    while (index < text.length && text[index] !== '}') {
      if (text[index] === ',' || text[index] === ' ') {
        index += 1;
        continue;
      }
      specs.push(field());
    }
    return specs;
  };
  const field = (): FieldSpec => {
    const name = /^[A-Za-z0-9_]+/.exec(text.slice(index))?.[0] ?? '';
    index += name.length;
    const modifiers: Record<string, string> = {};
    while (text[index] === '.') {
      const match = /^\.([A-Za-z0-9_]+)\(([^)]*)\)/.exec(text.slice(index));
      if (!match) break;
      modifiers[match[1] as string] = match[2] as string;
      index += match[0].length;
    }
    let children: FieldSpec[] | undefined;
    if (text[index] === '{') {
      index += 1;
      children = list();
      index += 1; // '}'
    }
    if (!name) index += 1; // skip an unexpected character rather than loop
    return { name, modifiers, children };
  };
  return list().filter((spec) => spec.name);
}

export const fieldsOf = (...names: string[]): FieldSpec[] => names.map((name) => ({ name, modifiers: {}, children: undefined }));

/**
 * Picks the requested fields from a fully rendered object. Nested objects are projected with their
 * own sub-selection; edges (`{data: [...]}`) are projected item by item.
 */
export function project(full: Record<string, unknown>, specs: readonly FieldSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const value = full[spec.name];
    if (value === undefined) continue;
    out[spec.name] = spec.children ? projectValue(value, spec.children) : value;
  }
  // Meta always returns the id of a node when it has one.
  if (out.id === undefined && full.id !== undefined) out.id = full.id;
  return out;
}

function projectValue(value: unknown, specs: readonly FieldSpec[]): unknown {
  if (Array.isArray(value)) return value.map((item) => projectValue(item, specs));
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.data)) {
      return { ...record, data: record.data.map((item) => projectValue(item, specs)) };
    }
    return project(record, specs);
  }
  return value;
}
