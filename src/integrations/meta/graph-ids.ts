// Graph object ids end up inside request paths. Meta's ids are numeric (IG media, WABA, phone
// number) or `{page-id}_{post-id}` (Page posts and their comments); anything else is refused here so
// a tenant-entered value can never turn into `../` path traversal or a different endpoint, and so
// a URL or an Instagram shortcode is reported as what it is instead of as a Meta 404.
import { OutboundError } from '../outbound-error.js';

const GRAPH_ID = /^\d+(?:_\d+)?$/;

export function isGraphId(value: string | undefined | null): value is string {
  return typeof value === 'string' && GRAPH_ID.test(value);
}

/** The id as a path segment; throws a permanent error for anything that is not a Graph id. */
export function graphIdSegment(value: string, what = 'object id'): string {
  if (!isGraphId(value)) {
    throw new OutboundError({ kind: 'permanent', service: 'meta', message: `Not a Graph ${what}: expected digits or digits_digits` });
  }
  return value;
}
