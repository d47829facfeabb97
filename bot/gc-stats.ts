import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

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
