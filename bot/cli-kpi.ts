import { parseArgs } from 'node:util';
import { DEMO_CONFIG_PATH } from '../config/business-config';
import { readEnv } from '../config/env';
import { openDatabase } from '../db/client';
import { migrate } from '../db/migrate';
import { dateRange } from '../domain/kpi';
import { kpiCsv, kpiRows } from '../handlers/kpi-export';
import type { CommandIo } from './cli-import';
import { runningConfig } from './cli-database';
import { dataDirHolder } from './data-dir-lock';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `orderbot kpi --from --to [--format csv|json]`: the KPIs per week and for the range, from the database. */
export async function kpiCommand(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string', default: 'csv' } },
    strict: true,
  });
  const { from, to, format } = values;
  if (
    !from ||
    !to ||
    !ISO_DATE.test(from) ||
    !ISO_DATE.test(to) ||
    Number.isNaN(Date.parse(from)) ||
    Number.isNaN(Date.parse(to)) ||
    from > to
  ) {
    io.err(
      'orderbot kpi: give --from and --to as YYYY-MM-DD, --from not after --to (e.g. --from 2026-02-01 --to 2026-02-28)\n',
    );
    return 2;
  }
  if (format !== 'csv' && format !== 'json') {
    io.err(`orderbot kpi: --format is csv or json, not "${format}"\n`);
    return 2;
  }
  const env = readEnv(io.env);
  const holder = env.DATABASE_URL ? null : dataDirHolder(env.ORDERBOT_DATA_DIR);
  if (holder) {
    io.err(
      `orderbot kpi: the running orderbot (pid ${holder}) holds the embedded database in ${env.ORDERBOT_DATA_DIR}; stop it first, or download the same figures from its ops board: /board/kpi.csv?from=${from}&to=${to}\n`,
    );
    return 1;
  }
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.ORDERBOT_DATA_DIR, poolSize: 2 });
  try {
    await migrate(database.db);
    const config = await runningConfig(database.db, env.ORDERBOT_CONFIG ?? DEMO_CONFIG_PATH);
    const range = dateRange(from, to);
    if (format === 'csv') io.out(await kpiCsv(database.db, config, range));
    else io.out(`${JSON.stringify(await kpiRows(database.db, config, range), null, 2)}\n`);
    return 0;
  } finally {
    await database.close();
  }
}
