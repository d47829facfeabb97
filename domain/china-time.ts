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

/** "3月5日" for zh, "Mar 5" for en, from a YYYY-MM-DD date; the year is shown only when it differs from `today`'s. */
export function formatDate(isoDate: string, language: 'zh' | 'en', today?: string): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const showYear = today !== undefined && today.slice(0, 4) !== isoDate.slice(0, 4);
  if (language === 'zh') return `${showYear ? `${y}年` : ''}${m}月${d}日`;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][m - 1];
  return `${month} ${d}${showYear ? `, ${y}` : ''}`;
}

/** "2h05m", "35m", "0m": how long something has been waiting. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m`;
}

/** "1天3小时" / "1d 3h", "5小时" / "5h", "40分钟" / "40m": how late something is, to the minute below an hour. */
export function formatSpan(ms: number, language: 'zh' | 'en'): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const zh = language === 'zh';
  if (days === 0 && hours === 0) return zh ? `${minutes}分钟` : `${minutes}m`;
  const parts = [
    days > 0 ? (zh ? `${days}天` : `${days}d`) : '',
    hours > 0 ? (zh ? `${hours}小时` : `${hours}h`) : '',
  ].filter(Boolean);
  return parts.join(zh ? '' : ' ');
}

/** A latency to the minute: "3小时20分钟" / "3h 20m" below a day; from a day on, formatSpan's "1天2小时" / "1d 2h". */
export function formatLatency(ms: number, language: 'zh' | 'en'): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes >= 1440 || minutes < 60 || minutes % 60 === 0) return formatSpan(ms, language);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return language === 'zh' ? `${h}小时${m}分钟` : `${h}h ${m}m`;
}
