/**
 * How long a storage-full answer keeps the node out of the load balancer, where the store cannot say its free space.
 */
const fullForMs = 15_000;

/**
 * What this API node last learned of the store's room: a write refused as full takes the node
 * out of rotation (/api/ready 503) for a while, and it comes back by itself.
 */
export class StorageHealth {
  private fullAt = 0;

  noteFull(): void {
    this.fullAt = Date.now();
  }

  recentlyFull(now = Date.now()): boolean {
    return now - this.fullAt < fullForMs;
  }
}
