// Cursor pagination over Graph edges. Meta's rules: the page is `{data, paging}`; the LAST page is
// the one without `paging.next` (cursors.after may still be present there, so it is not the end
// marker). `paging.next` is a full URL on graph.facebook.com that embeds `access_token`: we never
// follow it as-is. With `cursors.after` we repeat our own request plus `after`; otherwise we take
// only the path and non-credential parameters of `next` and send them to our configured base URL
// with the token in the header, as for every other call.
import { SECRET_PARAMS } from './redact.js';

export type GraphParamValue = string | number | boolean | undefined;
export type GraphParams = Readonly<Record<string, GraphParamValue>>;

export interface GraphPage<T> {
  data?: T[];
  paging?: { cursors?: { before?: string; after?: string }; next?: string; previous?: string };
}

/** One request of the walk; `path` already carries the version. */
export interface PageRequest {
  readonly versionedPath: string;
  readonly params: GraphParams;
}

export type FetchPage = <T>(request: PageRequest) => Promise<GraphPage<T>>;

/** Items of a paginated edge, fetched lazily as they are consumed. */
export interface PagedItems<T> extends AsyncIterable<T> {
  /** Pages requested so far. */
  readonly pagesFetched: number;
  /** True when the walk ended because of maxPages while Meta still had a next page. */
  readonly stoppedAtPageCap: boolean;
  /**
   * The same walk page by page, each with the `after` cursor of the page that follows it (undefined
   * on the last page, or when Meta paged without cursors): a walk started there (`startAfter`)
   * reads the rest.
   */
  pages(): AsyncIterable<GraphWalkPage<T>>;
  /** All items (up to the cap) in an array. */
  toArray(): Promise<T[]>;
  /** The same walk with each item transformed. */
  map<U>(transform: (item: T) => U): PagedItems<U>;
}

export interface GraphWalkPage<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | undefined;
}

/** Items of every page, lazily; stops after `maxPages` and says so. */
export class GraphPagination<T> implements PagedItems<T> {
  private fetched = 0;
  private capped = false;

  constructor(
    private readonly fetchPage: FetchPage,
    private readonly first: PageRequest,
    private readonly maxPages: number,
  ) {
    if (!Number.isInteger(maxPages) || maxPages < 1) throw new RangeError('maxPages must be a positive integer');
  }

  /** Pages requested so far. */
  get pagesFetched(): number {
    return this.fetched;
  }

  /** True when the walk ended because of maxPages while Meta still had a next page. */
  get stoppedAtPageCap(): boolean {
    return this.capped;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const page of this.pages()) yield* page.items;
  }

  async *pages(): AsyncIterable<GraphWalkPage<T>> {
    let request: PageRequest | undefined = this.first;
    while (request) {
      if (this.fetched >= this.maxPages) {
        this.capped = true;
        return;
      }
      const page: GraphPage<T> = await this.fetchPage<T>(request);
      this.fetched += 1;
      request = nextPageRequest(request, page.paging);
      const after = request?.params.after;
      yield { items: page.data ?? [], nextCursor: typeof after === 'string' ? after : undefined };
    }
  }

  toArray(): Promise<T[]> {
    return collect(this);
  }

  map<U>(transform: (item: T) => U): PagedItems<U> {
    return mapPaged(this, transform);
  }
}

function mapPaged<T, U>(source: PagedItems<T>, transform: (item: T) => U): PagedItems<U> {
  const mapped: PagedItems<U> = {
    get pagesFetched() {
      return source.pagesFetched;
    },
    get stoppedAtPageCap() {
      return source.stoppedAtPageCap;
    },
    async *[Symbol.asyncIterator]() {
      for await (const item of source) yield transform(item);
    },
    async *pages() {
      for await (const page of source.pages()) yield { items: page.items.map(transform), nextCursor: page.nextCursor };
    },
    toArray: () => collect(mapped),
    map: <V>(next: (item: U) => V) => mapPaged(mapped, next),
  };
  return mapped;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export function nextPageRequest(current: PageRequest, paging: GraphPage<unknown>['paging']): PageRequest | undefined {
  if (!paging?.next) return undefined;
  const after = paging.cursors?.after;
  if (after) {
    const params: Record<string, GraphParams[string]> = { ...current.params, after };
    delete params.before;
    return { versionedPath: current.versionedPath, params };
  }
  let next: URL;
  try {
    next = new URL(paging.next);
  } catch {
    return undefined;
  }
  const params: Record<string, string> = {};
  for (const [key, value] of next.searchParams) if (!SECRET_PARAMS.has(key)) params[key] = value;
  return { versionedPath: next.pathname, params };
}
