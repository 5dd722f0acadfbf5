/**
 * A small least-recently-used map; for immutable objects (tree nodes, commits) only. Its bound is
 * a total weight (by default one per value): a cache of tree nodes weighs each by its entries,
 * since one node may list every file of a directory and a count of nodes bounds nothing.
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private total = 0;

  constructor(
    private readonly capacity: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  /** The summed weight of what is cached. */
  get weight(): number {
    return this.total;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, slot);
    return slot.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.weigh(value);
    // a value heavier than the whole cache is not kept: it would only evict everything else
    if (weight > this.capacity) return;
    this.map.set(key, { value, weight });
    this.total += weight;
    for (const [oldest, slot] of this.map) {
      if (this.total <= this.capacity) break;
      this.map.delete(oldest);
      this.total -= slot.weight;
    }
  }

  delete(key: K): void {
    const slot = this.map.get(key);
    if (slot === undefined) return;
    this.map.delete(key);
    this.total -= slot.weight;
  }
}
