/** China has one time zone, UTC+8, and no daylight saving: plain offset arithmetic is exact. */
const OFFSET_MS = 8 * 3600_000;

/** The calendar date in China at an instant, as YYYY-MM-DD. */
export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** The wall-clock time in China at an instant, as HH:mm. */
export function chinaTime(instant: Date): string {
  return new Date(instant.getTime() + OFFSET_MS).toISOString().slice(11, 16);
}

/** "2h05m", "35m", "0m": how long something has been waiting. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m`;
}
