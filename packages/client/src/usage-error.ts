/** What the command line got wrong: said with the usage, exit 2. */
export class UsageError extends Error {}

/** A malformed argument the client library rejects is a usage error (exit 2), not a failure. */
export function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
