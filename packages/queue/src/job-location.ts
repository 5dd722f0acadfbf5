/** Where a job is polled (GET /api/jobs/{id}): named in 202s, in `location`, and in a job_timeout's answer. */
export function jobLocation(id: string): string {
  return `/api/jobs/${encodeURIComponent(id)}`;
}
