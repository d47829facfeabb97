import DataLoader from 'dataloader';

/**
 * Group commit for small writes: a batch is written at once when nothing is being written, otherwise as
 * soon as the write under way is done, so the writes that arrive meanwhile share one transaction. Idle,
 * nothing waits (unless `windowMs` says to); under load, many callbacks or delivery marks cost one commit instead
 * of one each. `write` answers one result per key, or an Error for a key that failed alone.
 */
export function writeBatcher<K, V>(
  write: (batch: readonly K[]) => Promise<ReadonlyArray<V | Error>>,
  {
    maxBatchSize = 200,
    windowMs = 0,
  }: {
    maxBatchSize?: number;
    /**
     * Idle, the first write waits this long for others to join it: for writes that come in bursts a few
     * milliseconds apart (an order's deliveries finishing), where waiting costs nobody an answer.
     */
    windowMs?: number;
  } = {},
): DataLoader<K, V> {
  let writing: Promise<unknown> = Promise.resolve();
  let busy = 0;
  return new DataLoader<K, V>(
    (batch) => {
      busy += 1;
      const done = write(batch);
      writing = done.then(
        () => (busy -= 1),
        () => (busy -= 1),
      );
      return done;
    },
    {
      cache: false,
      maxBatchSize,
      batchScheduleFn: (dispatch) => {
        if (busy > 0) void writing.then(() => setImmediate(dispatch));
        else if (windowMs > 0) setTimeout(dispatch, windowMs);
        else setImmediate(dispatch);
      },
    },
  );
}
