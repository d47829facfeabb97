/** What the e2e bench reads of the product process (served on /internal/db-stats with ORDERBOT_DB_STATS=1). */
import { constants, monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import type Koa from 'koa';

/** Garbage collections since counting started: how much an order's allocations cost the process. */
export interface GcStats {
  /** Young-generation collections (scavenges): with the 4 MB semi-space of `npm start`, one per 4 MB allocated. */
  minor: number;
  /** Time the main thread spent paused in all collections, young and full, ms. */
  pausedMs: number;
}

/** Counts every collection from now on; the answer reads the counts so far. */
export function countGarbageCollections(): () => GcStats {
  const stats: GcStats = { minor: 0, pausedMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) stats.minor++;
      stats.pausedMs += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => ({ ...stats });
}

/** How late the event loop ran its timers since the last reading, ms: what a request arriving meanwhile waited. */
export interface LoopDelay {
  p99: number;
  max: number;
}

/** Samples the event loop's delay every millisecond; each reading starts the next period. */
export function watchLoopDelay(): () => LoopDelay {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  return () => {
    const delay = { p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
    histogram.reset();
    return delay;
  };
}

/** The time the process took to answer POST requests (platform callbacks) since the last reading, ms. */
export interface AnswerTimes {
  count: number;
  p99: number;
  max: number;
}

/**
 * Times every POST from its first middleware to its answer's body being set; each reading starts the next period.
 * Set beside a client's own timing, it tells the server's share of an answer's time from the network's and the
 * client's.
 */
export function timeAnswers(): { middleware: Koa.Middleware; read: () => AnswerTimes } {
  let times: number[] = [];
  return {
    middleware: async (ctx, next) => {
      if (ctx.method !== 'POST') return next();
      const start = performance.now();
      await next();
      times.push(performance.now() - start);
    },
    read: () => {
      const sorted = times.sort((a, b) => a - b);
      times = [];
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
      return { count: sorted.length, p99: at(0.99), max: sorted.at(-1) ?? 0 };
    },
  };
}
