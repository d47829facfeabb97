import { chinaDate, chinaTime } from '../../domain/china-time';
import type { Catalogue } from '../catalogue';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export const format: Catalogue['format'] = {
  date(isoDate, today) {
    const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
    const showYear = today !== undefined && today.slice(0, 4) !== isoDate.slice(0, 4);
    return `${MONTHS[m - 1]} ${d}${showYear ? `, ${y}` : ''}`;
  },

  dateTime(at, today) {
    return `${format.date(chinaDate(at), today)} ${chinaTime(at)}`;
  },

  timeOrDateTime(at, today) {
    return chinaDate(at) === today ? chinaTime(at) : format.dateTime(at, today);
  },

  span(ms) {
    const minutes = Math.max(0, Math.round(ms / 60_000));
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    if (days === 0 && hours === 0) return `${minutes}m`;
    return [days > 0 ? `${days}d` : '', hours > 0 ? `${hours}h` : ''].filter(Boolean).join(' ');
  },

  latency(ms) {
    const minutes = Math.max(0, Math.round(ms / 60_000));
    if (minutes >= 1440 || minutes < 60 || minutes % 60 === 0) return format.span(ms);
    return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
  },

  etd(etd, today) {
    return `signed for by ${format.date(chinaDate(etd), today)}, ${chinaTime(etd)}`;
  },

  list(items) {
    return items.join(', ');
  },

  clauses(items) {
    return items.join('; ');
  },

  aside(text) {
    return ` (${text})`;
  },
};
