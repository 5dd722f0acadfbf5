const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** Every id sluice gives a job: a UUID, `commit-<uuid>`, or `idem-`/`chunks-`/`upload-` and 40 hex digits. */
const jobIdPattern = new RegExp(`^(?:${uuid}|commit-${uuid}|(?:idem|chunks|upload)-[0-9a-f]{40})$`);

/**
 * Whether `id` is one sluice could have given a job. Anything else (BullMQ's own bookkeeping
 * keys such as `meta` or `stalled-check` among them) names no job and is never looked up.
 */
export function isJobId(id: string): boolean {
  return jobIdPattern.test(id);
}
