import type { Page, PageRequest } from '../ports';

/**
 * The pages of a keyset list, one after another, following each continuation token to the last
 * page, or until `maxItems` items are read (the last request then asks only for what remains).
 */
export async function* pagesOf<T>(
  list: (page: PageRequest) => Promise<Page<T>>,
  pageSize: number,
  maxItems = Infinity,
): AsyncGenerator<T[]> {
  let read = 0;
  let continuationToken: string | undefined;
  do {
    const page = await list({ limit: Math.min(pageSize, maxItems - read), ...(continuationToken ? { continuationToken } : {}) });
    yield page.items;
    read += page.items.length;
    continuationToken = page.continuationToken ?? undefined;
  } while (continuationToken && read < maxItems);
}
