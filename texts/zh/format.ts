import { chinaDate, chinaTime } from '../../domain/china-time';

/** How values read in Chinese: dates, spans of time, lists. */
export const format = {
  /** "3月5日" from 2026-03-05; the year only when it differs from `today`'s: "2027年1月5日". */
  date(isoDate: string, today?: string): string {
    const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
    const showYear = today !== undefined && today.slice(0, 4) !== isoDate.slice(0, 4);
    return `${showYear ? `${y}年` : ''}${m}月${d}日`;
  },

  /** "3月5日 14:00" (the date as `date` shows it). */
  dateTime(at: Date, today: string): string {
    return `${format.date(chinaDate(at), today)} ${chinaTime(at)}`;
  },

  /** "14:00" today, "3月4日 14:00" on another day. */
  timeOrDateTime(at: Date, today: string): string {
    return chinaDate(at) === today ? chinaTime(at) : format.dateTime(at, today);
  },

  /** "1天3小时", "5小时", "40分钟": how late something is, to the minute below an hour. */
  span(ms: number): string {
    const minutes = Math.max(0, Math.round(ms / 60_000));
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    if (days === 0 && hours === 0) return `${minutes}分钟`;
    return `${days > 0 ? `${days}天` : ''}${hours > 0 ? `${hours}小时` : ''}`;
  },

  /** A latency to the minute: "3小时20分钟" below a day; from a day on, `span`'s "1天2小时". */
  latency(ms: number): string {
    const minutes = Math.max(0, Math.round(ms / 60_000));
    if (minutes >= 1440 || minutes < 60 || minutes % 60 === 0) return format.span(ms);
    return `${Math.floor(minutes / 60)}小时${minutes % 60}分钟`;
  },

  /** "3月18日14:30前签收". */
  etd(etd: Date, today: string): string {
    return `${format.date(chinaDate(etd), today)}${chinaTime(etd)}前签收`;
  },

  /** "技术部、采购部". */
  list(items: readonly string[]): string {
    return items.join('、');
  },

  /** Clauses of one sentence: "库存可用 3，需 5；模具M-3维修至3月2日". */
  clauses(items: readonly string[]): string {
    return items.join('；');
  },

  /** A remark after a value: "（加急）". */
  aside(text: string): string {
    return `（${text}）`;
  },
};
