import { parseArgs } from 'node:util';
import { backtestDemand, formatBacktestLine as demandLine, generateDemandHistories } from '../domain/demand';
import { backtestRisk, formatBacktestLine as riskLine, generateRiskHistory } from '../domain/risk';
import { readRiskHistory } from '../db/risk-history';
import { DEMO_CONFIG_PATH } from '../config/business-config';
import { retrainRiskModels, type RetrainOutcome } from '../handlers/risk-training';
import { runningConfig, withCommandDatabase } from './cli-database';
import { pino } from 'pino';
import type { CommandIo } from './command-io';

export const RISK_USAGE =
  'usage: orderbot risk backtest [--months 18] [--seed N] [--orders N] [--from-db]\n' +
  '  trains on all but the last 3 months and tests on those 3; prints late:, complaint: and demand: lines\n' +
  '       orderbot risk train\n' +
  "  retrains the plant's models now, as the nightly job does; prints one line per model\n";

const TEST_MONTHS = 3;
/** Fewer delivered orders than this give a test window of a handful of late ones: no figure worth printing. */
const MIN_DELIVERED = 200;

/**
 * `orderbot risk backtest`: the lateness and complaint models and the demand forecast measured on a time split, on a
 * generated history (planted causes with known true probabilities; `--seed` makes it repeatable), or with
 * `--from-db` on the plant's own orders (the last `--months`; demand is not measured there yet). The figures are
 * AUC with its bootstrap CI next to the customer-history baseline, precision and recall at the alert budget (10% of
 * orders), Brier next to the base rate's: never an accuracy, which a model that never warns would win.
 */
export async function riskCommand(args: string[], io: CommandIo): Promise<number> {
  let values: { months?: string; seed?: string; orders?: string; 'from-db'?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: {
        months: { type: 'string' },
        seed: { type: 'string' },
        orders: { type: 'string' },
        'from-db': { type: 'boolean', default: false },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.err(`orderbot risk: ${(err as Error).message}\n${RISK_USAGE}`);
    return 2;
  }
  if (positionals[0] === 'train' && positionals.length === 1) return trainCommand(io);
  if (positionals[0] !== 'backtest' || positionals.length > 1) {
    io.err(RISK_USAGE);
    return 2;
  }
  const months = wholeNumber(values.months, 18);
  const seed = wholeNumber(values.seed, 1);
  const orders = wholeNumber(values.orders, 20_000);
  if (months === null || months <= TEST_MONTHS || seed === null || orders === null || orders < 100) {
    io.err(`orderbot risk: --months must be more than ${TEST_MONTHS}, --orders at least 100, --seed a whole number\n`);
    return 2;
  }
  if (values['from-db']) {
    return withCommandDatabase(io, 'risk backtest', async (db) => {
      const history = await readRiskHistory(db);
      const delivered = history.filter((e) => e.outcome !== null).length;
      if (delivered < MIN_DELIVERED) {
        io.err(
          `orderbot risk: the database holds ${history.length} orders with a promise, ${delivered} of them delivered; ` +
            `a backtest needs at least ${MIN_DELIVERED} delivered orders\n`,
        );
        return 1;
      }
      const last = Math.max(...history.map((e) => e.order.createdAt.getTime()));
      const start = new Date(last);
      start.setUTCMonth(start.getUTCMonth() - months);
      const result = backtestRisk(history, { start, trainMonths: months - TEST_MONTHS, testMonths: TEST_MONTHS });
      io.out(`${riskLine(result.late)}\n${riskLine(result.complaint)}\n`);
      return 0;
    });
  }
  const history = generateRiskHistory({ seed, orders, months });
  const result = backtestRisk(history.entries, { trainMonths: months - TEST_MONTHS, testMonths: TEST_MONTHS });
  io.out(`${riskLine(result.late)}\n${riskLine(result.complaint)}\n`);
  const demand = backtestDemand(generateDemandHistories({ seed, weeks: Math.round((months * 52) / 12) }));
  io.out(`${demandLine(demand)}\n`);
  return 0;
}

function wholeNumber(text: string | undefined, fallback: number): number | null {
  if (text === undefined) return fallback;
  return /^\d+$/.test(text) ? Number(text) : null;
}

/** `orderbot risk train`: the nightly retraining, now. */
function trainCommand(io: CommandIo): Promise<number> {
  return withCommandDatabase(io, 'risk train', async (db) => {
    const config = await runningConfig(db, io.env.ORDERBOT_CONFIG ?? DEMO_CONFIG_PATH);
    const log = pino({ level: 'silent' });
    const outcomes = await retrainRiskModels({ db, now: new Date(), config, log });
    io.out(`${outcomes.map(trainLine).join('\n')}\n`);
    return 0;
  });
}

/** "late: version 3 active (no worse than the one before) orders=1820 late=182" / "complaint: too few …". */
export function trainLine(o: RetrainOutcome): string {
  const counts = `orders=${o.orders} ${o.target === 'late' ? 'late' : 'complained'}=${o.positives}`;
  if (o.kind === 'too-few') return `${o.target}: no model (too few delivered orders or positives) ${counts}`;
  const state = o.kind === 'activated' ? 'active' : 'kept as a candidate, the active model stays';
  return `${o.target}: version ${o.version} ${state} (${o.decision}) ${counts}`;
}
