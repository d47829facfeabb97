/**
 * npm run bench -- risk: the order-risk models on a plant's history, at the demo's size (2,400 orders in 18 months)
 * and a mid-sized plant's (BENCH_RISK_ORDERS, default 20,000): the nightly retraining (reading the history, the
 * time-split backtest of both models, training, storing) and the assessment a new order gets at creation (its
 * customer's and material's history, the plant's outcome counts, both models, the reasons), for the busiest
 * customer and material (博世, BRK-2026-01), 50 times. Wall time and this process's CPU.
 */
import { performance } from 'node:perf_hooks';
import { createLogger } from '../../bot/logger';
import { loadBusinessConfig } from '../../config/business-config';
import { activeRiskModels } from '../../db/risk-models';
import { assessWith, orderRiskFacts } from '../../handlers/order-risk';
import { retrainRiskModels } from '../../handlers/risk-training';
import { seedDemoRiskHistoryIfEmpty } from '../../integrations/import/demo-risk-history';
import { seedDemoDataIfEmpty } from '../../integrations/import/demo-seed';
import { type Backend, createTestDatabase } from '../support/databases';

const ASSESSMENTS = 50;

export async function benchRisk(backend: Backend): Promise<void> {
  const sizes = [2_400, Number(process.env.BENCH_RISK_ORDERS ?? 20_000)];
  const config = loadBusinessConfig('config/demo.yaml');
  const log = createLogger('silent');
  for (const size of sizes) {
    const database = await createTestDatabase(backend);
    const { db } = database;
    try {
      const now = new Date();
      await seedDemoDataIfEmpty(db, now);
      await seedDemoRiskHistoryIfEmpty(db, now, config.lifecycle.deliverBy, size);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const outcomes = await retrainRiskModels({ db, now, config, log });
      const trainMs = performance.now() - t0;
      const trainCpu = process.cpuUsage(cpu0);
      const models = await activeRiskModels(db);
      const order = {
        number: 'SO-BENCH',
        customerName: '博世',
        customerId: 2,
        requesterId: 'zhangsan',
        kind: 'batch' as const,
        createdAt: now,
        urgent: false,
        requestedDate: new Date(now.getTime() + 20 * 86_400_000).toISOString().slice(0, 10),
      };
      const inputs = {
        lineLoad: 0.92,
        mouldStatus: 'repair' as const,
        mould: 'M-3',
        purchaseLeadDays: 0,
        usualLeadDays: 0,
      };
      const times: number[] = [];
      const cpu1 = process.cpuUsage();
      for (let i = 0; i < ASSESSMENTS; i++) {
        const start = performance.now();
        const facts = await orderRiskFacts(db, config, order, [{ materialCode: 'BRK-2026-01', quantity: 400 }], inputs);
        assessWith(config, models, facts);
        times.push(performance.now() - start);
      }
      const assessCpu = process.cpuUsage(cpu1);
      times.sort((a, b) => a - b);
      const delivered = outcomes[0]?.orders ?? 0;
      console.log(
        `risk ${backend} ${size} orders (${delivered} with a known lateness): retrain ${(trainMs / 1000).toFixed(1)} s ` +
          `(CPU ${((trainCpu.user + trainCpu.system) / 1e6).toFixed(1)} s; ${outcomes.map((o) => `${o.target} ${o.kind}`).join(', ')}); ` +
          `assessment of a new order median ${times[Math.floor(ASSESSMENTS / 2)]!.toFixed(1)} ms, ` +
          `p90 ${times[Math.floor(ASSESSMENTS * 0.9)]!.toFixed(1)} ms, ` +
          `CPU ${((assessCpu.user + assessCpu.system) / 1000 / ASSESSMENTS).toFixed(1)} ms`,
      );
    } finally {
      await database.close();
    }
  }
}
