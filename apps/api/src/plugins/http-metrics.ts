import { Gauge, Histogram, register } from 'prom-client';
import { countDependencyError } from '@sluice/telemetry';
import type { AppServices } from '../app-services.js';
import { toSluiceError } from '../to-sluice-error.js';
import type { TypedApp } from '../openapi/schema-kit.js';
import { metrics } from './http-metrics.schema.js';

const queueStates = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * Prometheus for the API: request latency by route pattern (never the raw URL, which would make a
 * series per path), queue depth read from Redis at scrape time, and the 503s behind which a
 * dependency was down. GET /metrics serves prom-client's default registry, which also holds the
 * ingest metrics of the worker when it runs in this process.
 */
export function httpMetrics(app: TypedApp, services: AppServices): void {
  for (const name of ['sluice_http_request_duration_seconds', 'sluice_queue_jobs']) register.removeSingleMetric(name);
  const requests = new Histogram({
    name: 'sluice_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status, with their latency',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
  });
  new Gauge({
    name: 'sluice_queue_jobs',
    help: 'Jobs in each queue by state, read from Redis at scrape time (the same for every node)',
    labelNames: ['queue', 'state'] as const,
    async collect() {
      for (const queue of [services.queue, services.commitQueue]) {
        const counts = await queue.getJobCounts(...queueStates).catch(() => null);
        if (counts === null) continue; // Redis down: the scrape still answers, without this gauge
        for (const state of queueStates) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });
  app.addHook('onResponse', async (request, reply) => {
    requests.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.addHook('onError', async (_request, _reply, error) => {
    countDependencyError(toSluiceError(error).code);
  });
  app.get(
    '/metrics',
    { schema: metrics, config: { access: 'admin', rateLimitRefusedOnly: true } },
    async (_request, reply) => reply.type(register.contentType).send(await register.metrics()),
  );
}
