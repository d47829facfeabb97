import { parseArgs } from 'node:util';
import { reconcileReport } from '../db/reconcile';
import { formatFen } from '../domain/channels/money';
import type { Channel } from '../domain/channels/order';
import { CAUSES, CHANNELS, chinaPeriod, type ReconcileReport } from '../domain/channels/reconcile';
import { type Lang, texts } from '../texts';
import type { CommandIo } from './cli-import';
import { withCommandDatabase } from './cli-database';

const USAGE =
  'usage: orderbot reconcile --from YYYY-MM-DD --to YYYY-MM-DD [--channel douyin|taobao|jd] [--format text|csv|json] [--lang zh|en]\n';
/** How many differing orders the text report lists; csv and json list them all. */
const LISTED = 100;

/**
 * `orderbot reconcile --from D --to D [--channel C] [--format text|csv|json] [--lang zh|en]`: the channel orders'
 * expected invoice amounts against the platforms' settlements (docs/channels-reconciliation.md). text (the default,
 * Chinese unless --lang en): per channel the difference rate, the share matched to the 分, the unsettled count and
 * the differences by cause, then the differing orders; csv: one row per differing order with its cause (amounts in
 * 元); json: the whole report (amounts in 分). Bad arguments: one line on stderr, exit 2.
 */
export async function reconcileCommand(args: string[], io: CommandIo): Promise<number> {
  let values: { from?: string; to?: string; channel?: string; format?: string; lang?: string };
  try {
    values = parseArgs({
      args,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        channel: { type: 'string' },
        format: { type: 'string', default: 'text' },
        lang: { type: 'string', default: 'zh' },
      },
      strict: true,
    }).values;
  } catch (err) {
    io.err(`orderbot reconcile: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { from, to, channel, format, lang } = values;
  const refuse = (why: string) => {
    io.err(`orderbot reconcile: ${why}\n`);
    return 2;
  };
  if (!from || !to) return refuse('give --from and --to as YYYY-MM-DD (e.g. --from 2026-03-01 --to 2026-03-31)');
  try {
    chinaPeriod(from, to);
  } catch {
    return refuse(`--from ${from} --to ${to}: dates are YYYY-MM-DD, --from not after --to`);
  }
  if (channel !== undefined && !(CHANNELS as readonly string[]).includes(channel))
    return refuse(`--channel is one of ${CHANNELS.join(', ')}, not "${channel}"`);
  if (format !== 'text' && format !== 'csv' && format !== 'json')
    return refuse(`--format is text, csv or json, not "${format}"`);
  if (lang !== 'zh' && lang !== 'en') return refuse(`--lang is zh or en, not "${lang}"`);

  return withCommandDatabase(
    io,
    'reconcile',
    async (db) => {
      const report = await reconcileReport(db, {
        from,
        to,
        ...(channel !== undefined ? { channel: channel as Channel } : {}),
      });
      if (format === 'json') io.out(`${JSON.stringify(report, null, 2)}\n`);
      else if (format === 'csv') io.out(reconcileCsv(report, lang));
      else io.out(reconcileText(report, lang));
      return 0;
    },
    `open the same report on its ops board: /board/reconcile?from=${from}&to=${to}`,
  );
}

/** The finance summary: per channel (and the total when more than one), the causes, then the differing orders. */
export function reconcileText(report: ReconcileReport, lang: Lang): string {
  const t = texts(lang).reconcile;
  const out = [t.heading(report.from, report.to)];
  if (report.channels.length === 0) return `${[...out, t.nothing].join('\n')}\n`;
  const blocks = report.channels.length > 1 ? [...report.channels, report.total] : report.channels;
  for (const f of blocks) {
    out.push(
      t.summary({
        channel: t.channelName(f.channel),
        rate: f.differenceRate,
        settled: f.settledOrders,
        matchRate: f.matchRate,
        unsettled: f.unsettledOrders,
        settledFen: f.settledFen,
        absDifferenceFen: f.absDifferenceFen,
        feeFen: f.feeFen,
      }),
    );
    for (const cause of CAUSES) {
      const c = f.causes[cause];
      if (c.orders > 0) out.push(t.causeLine(cause, c.orders, c.amountFen));
    }
    if (f.unknownOrders > 0) out.push(t.unknownOrders(f.unknownOrders, f.unknownSettledFen));
  }
  out.push('');
  if (report.differences.length === 0) out.push(t.noDifferences);
  else {
    out.push(t.differencesHeading);
    for (const d of report.differences.slice(0, LISTED)) out.push(t.differenceLine(d));
    if (report.differences.length > LISTED) out.push(t.more(report.differences.length - LISTED));
  }
  return `${out.join('\n')}\n`;
}

const CSV_HEADER = [
  'channel',
  'shop',
  'order_id',
  'cause',
  'cause_name',
  'cause_yuan',
  'paid_at',
  'settled_at',
  'invoice_yuan',
  'refund_yuan',
  'expected_yuan',
  'settled_yuan',
  'difference_yuan',
  'fee_yuan',
  'all_causes',
];

/** One row per differing order (the report's order: largest difference first). */
export function reconcileCsv(report: ReconcileReport, lang: Lang): string {
  const t = texts(lang).reconcile;
  const rows = report.differences.map((d) =>
    [
      d.channel,
      d.shop,
      d.orderId,
      d.cause,
      t.causeName(d.cause),
      formatFen(d.causeAmountFen),
      d.paidAt ?? '',
      d.settledAt ?? '',
      formatFen(d.invoiceFen),
      formatFen(d.refundFen),
      formatFen(d.expectedFen),
      d.settledFen === null ? '' : formatFen(d.settledFen),
      d.differenceFen === null ? '' : formatFen(d.differenceFen),
      formatFen(d.feeFen),
      d.parts.map((p) => `${p.cause}:${formatFen(p.amountFen)}`).join(' '),
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[CSV_HEADER.join(','), ...rows].join('\n')}\n`;
}

/** Quotes a cell holding a comma, a quote or a line break; a leading = + @ is neutralised for spreadsheets. */
function csvCell(value: string): string {
  const safe = /^[=+@]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
