import { chinaDate } from '../../domain/china-time';
import { STAGES, type Stage } from '../../domain/lifecycle';
import { type Lang, texts } from '../../texts';
import { escapeHtml } from '../board/html';

/** What a customer may see of one order: nothing that names a person or a department. */
export interface StatusView {
  company: string;
  number: string;
  stage: Stage;
  skipped: readonly Stage[];
  /** Expected arrival, while not delivered. */
  etd: Date | null;
  /** The promised date at the plant's deliver-by time. */
  promisedAt: Date | null;
  deliveredAt: Date | null;
  shipment: { carrier: string | null; waybill: string; tracking: string | null; trackedAt: string | null } | null;
  /** The deliveries the order was split into, each with its stage and expected arrival. */
  deliveries: Array<{ number: string; stage: Stage; etd: Date | null; deliveredAt: Date | null }>;
  now: Date;
}

const STYLE = `
body{margin:0;font:16px/1.6 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#222;background:#f5f6f8}
main{max-width:32rem;margin:0 auto;padding:1rem}
h1{font-size:1.25rem;margin:.5rem 0 1rem}
section{background:#fff;border-radius:.5rem;padding:.75rem 1rem;margin-bottom:.75rem}
h2{font-size:1rem;margin:0 0 .5rem;color:#555}
dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:.25rem .75rem}
dt{color:#666}dd{margin:0;word-break:break-all}
ol{list-style:none;margin:0;padding:0}
li{padding:.25rem 0 .25rem 1.5rem;position:relative;color:#999}
li::before{content:"";position:absolute;left:.25rem;top:.7rem;width:.6rem;height:.6rem;border-radius:50%;background:#ccc}
li.done{color:#222}li.done::before{background:#2e7d32}
li.now{color:#2e7d32;font-weight:bold}li.now::before{background:#2e7d32;box-shadow:0 0 0 3px #c8e6c9}
.muted{color:#888;font-size:.875rem}
`;

function layout(lang: Lang, title: string, body: string): string {
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}

/** The status page of one order: its number, its stages as a progress list, when it arrives, its shipment. */
export function renderStatusPage(view: StatusView, lang: Lang): string {
  const t = texts(lang);
  const p = t.notices.page;
  const today = chinaDate(view.now);
  const when = (at: Date) => t.format.dateTime(at, today);
  const rows: Array<[string, string]> = [[p.order, view.number]];
  if (view.deliveredAt) rows.push([p.delivered, when(view.deliveredAt)]);
  else if (view.etd) rows.push([p.etd, when(view.etd)]);
  if (view.promisedAt) rows.push([p.promised, when(view.promisedAt)]);
  const reached = STAGES.indexOf(view.stage);
  const steps = STAGES.filter((s) => !view.skipped.includes(s)).map((s) => {
    const i = STAGES.indexOf(s);
    const cls = i === reached ? 'now' : i < reached ? 'done' : '';
    const label = t.notices.stage(s);
    return `<li${cls ? ` class="${cls}"` : ''}>${escapeHtml(i === reached ? p.current(label) : label)}</li>`;
  });
  const sections = [
    `<section><dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl></section>`,
    `<section><h2>${escapeHtml(p.progress)}</h2><ol>${steps.join('')}</ol></section>`,
  ];
  if (view.shipment) {
    const s = view.shipment;
    const ship: Array<[string, string]> = [
      ...(s.carrier ? [[p.carrier, s.carrier] as [string, string]] : []),
      [p.waybill, s.waybill],
      [p.tracking, s.tracking ? `${s.tracking}${s.trackedAt ? ` (${s.trackedAt})` : ''}` : p.noTracking],
    ];
    sections.push(
      `<section><h2>${escapeHtml(p.shipment)}</h2><dl>${ship
        .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
        .join('')}</dl></section>`,
    );
  }
  if (view.deliveries.length > 0) {
    const items = view.deliveries.map((d) => {
      const at = d.deliveredAt ?? d.etd;
      return `<dt>${escapeHtml(d.number)}</dt><dd>${escapeHtml(t.notices.stage(d.stage))}${
        at ? ` · ${escapeHtml(`${d.deliveredAt ? p.delivered : p.etd} ${when(at)}`)}` : ''
      }</dd>`;
    });
    sections.push(`<section><h2>${escapeHtml(p.deliveries)}</h2><dl>${items.join('')}</dl></section>`);
  }
  const body = `<h1>${escapeHtml(view.company)} · ${escapeHtml(p.title)}</h1>
${sections.join('\n')}
<p class="muted">${escapeHtml(p.asOf(when(view.now)))}</p>`;
  return layout(lang, `${p.title} ${view.number}`, body);
}

/** The one page every link that opens no order gets: no reason, so nothing to guess from. */
export function renderInvalidLinkPage(lang: Lang): string {
  const p = texts(lang).notices.page;
  return layout(
    lang,
    p.invalid,
    `<h1>${escapeHtml(p.invalid)}</h1><section><p>${escapeHtml(p.invalidHint)}</p></section>`,
  );
}
