import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { startApp } from '../../bot/app';
import { createLogger } from '../../bot/logger';
import { loadBusinessConfig } from '../../config/business-config';
import { queryRows } from '../../db/client';
import { createTestDatabase } from '../support/databases';
import { backlog, requestText } from './e2e-bench';

/**
 * The product's own CPU per order on its order path, away from the e2e bench's other processes: rounds of the e2e
 * bench's requests (each an order) posted by four senders at once to the playground (the real HTTP entry point, no
 * platform), each round handled and its effects delivered before the next. The figure includes the posting (in this
 * process) and leaves out the platform adapters' HTTP and crypto; the machine's other load moves it less than it
 * moves the e2e bench's. Prints one line: `handler: cpu=<ms/order> wall=<ms/order> orders=<n>` (the median of the
 * rounds, and their spread).
 */
export async function benchHandlerPath(pgUrl: string): Promise<void> {
  process.env.TEST_DATABASE_URL = pgUrl;
  const orders = Number(process.env.BENCH_HANDLER_ORDERS ?? 300);
  const rounds = Number(process.env.BENCH_HANDLER_ROUNDS ?? 5);
  const database = await createTestDatabase('postgres', { poolSize: 10 });
  const app = await startApp({
    database,
    config: loadBusinessConfig(),
    log: createLogger('silent'),
    port: 0,
  });
  let n = 0;
  const post = async () => {
    const i = n++;
    const res = await fetch(`${app.url}/api/playground/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        conversationId: `bench-${i % 20}`,
        senderId: 'zhangsan',
        text: requestText(i),
        messageId: `handler-bench-${i}`,
      }),
    });
    await res.arrayBuffer();
  };
  // A round: the requests posted by four senders at once, then everything handled and delivered.
  const round = async (count: number) => {
    let left = count;
    const sender = async () => {
      while (left-- > 0) await post();
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    while ((await backlog(database)) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  await round(50); // warm-up: JIT, prepared statements, caches
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await round(orders);
    const used = process.cpuUsage(cpu0);
    cpu.push((used.user + used.system) / 1000 / orders);
    wall.push((performance.now() - t0) / orders);
  }
  const [made] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from orders`);
  await app.close();
  await database.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
  console.log(
    `handler: cpu=${median(cpu).toFixed(2)}(${spread(cpu)}) wall=${median(wall).toFixed(2)}(${spread(wall)}) orders=${made!.n}`,
  );
}
