/**
 * The first `limit` items by path of a stream of any length, and how many there were: a page of
 * a workspace's status without holding the whole staging index in memory, which grows with the
 * workspace (CHANGELOG.md).
 */
export class FirstPaths<T> {
  readonly items: Array<[string, T]> = [];
  total = 0;

  constructor(private readonly limit: number) {}

  add(path: string, item: T): void {
    this.total += 1;
    const items = this.items;
    if (items.length >= this.limit && path >= items[items.length - 1]![0]) return;
    let low = 0;
    let high = items.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (items[mid]![0] < path) low = mid + 1;
      else high = mid;
    }
    items.splice(low, 0, [path, item]);
    if (items.length > this.limit) items.pop();
  }
}
