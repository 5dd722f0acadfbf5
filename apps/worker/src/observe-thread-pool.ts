import { Gauge, register } from 'prom-client';
import type { Piscina } from 'piscina';

/** Reports the Piscina pool's utilisation (0..1, the share of thread time spent running tasks) on each scrape. */
export function observeThreadPool(pool: Piscina): void {
  register.removeSingleMetric('sluice_worker_thread_utilization');
  register.removeSingleMetric('sluice_worker_threads');
  new Gauge({
    name: 'sluice_worker_thread_utilization',
    help: 'Share of the worker threads\' time spent running tasks since the pool started (0 to 1)',
    collect() {
      this.set(pool.utilization);
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
