import { Gauge, register } from 'prom-client';
import type { Piscina } from 'piscina';
import { ingestMetrics } from '@sluice/telemetry';

/**
 * Reports the pool's utilisation (0..1, the share of thread time spent running tasks) on each
 * scrape, from the busy time the threads measure themselves: piscina's own figure mixes units
 * and reads about a thousand times too low.
 */
export function observeThreadPool(pool: Piscina, threads: number): void {
  const started = performance.now();
  register.removeSingleMetric('sluice_worker_thread_utilization');
  register.removeSingleMetric('sluice_worker_threads');
  new Gauge({
    name: 'sluice_worker_thread_utilization',
    help: "Share of the worker threads' time spent running tasks since the pool started (0 to 1)",
    async collect() {
      const busySeconds = (await ingestMetrics.threadBusySeconds.get()).values[0]?.value ?? 0;
      const capacitySeconds = ((performance.now() - started) / 1000) * threads;
      this.set(capacitySeconds > 0 ? Math.min(1, busySeconds / capacitySeconds) : 0);
    },
  });
  new Gauge({
    name: 'sluice_worker_threads',
    help: 'Worker threads in the pool, and tasks waiting for one',
    labelNames: ['kind'] as const,
    collect() {
      this.set({ kind: 'threads' }, pool.threads.length);
      this.set({ kind: 'queued' }, pool.queueSize);
    },
  });
}
