import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { customerListVersions, customers } from '../../db/schema';
import { recognizeCustomers } from '../../domain/customers/recognize';
import { customerIndex } from '../../handlers/customers';
import { backends, useTestDatabase } from '../support/databases';

describe.each(backends)('the customer name index (%s)', (backend) => {
  const database = useTestDatabase(backend);
  const names = async (text: string) => recognizeCustomers(text, await customerIndex(database().db)).map((m) => m.name);

  it('sees every change to the list, made by any statement, from the stamp the trigger renews', async () => {
    const { db } = database();
    expect(await names('新能科技 要BRK-2026-01')).toEqual([]);
    const stampOf = async () => (await db.select().from(customerListVersions))[0]?.version;
    const before = await stampOf();
    const [row] = await db.insert(customers).values({ name: '新能科技', aliases: [] }).returning();
    expect(await stampOf()).not.toBe(before);
    expect(await names('新能科技 要BRK-2026-01')).toEqual(['新能科技']);
    await db.update(customers).set({ name: '新能电子' }).where(eq(customers.id, row!.id));
    expect(await names('新能科技 要BRK-2026-01')).toEqual([]);
    expect(await names('新能电子 要BRK-2026-01')).toEqual(['新能电子']);
    await db.delete(customers).where(eq(customers.id, row!.id));
    expect(await names('新能电子 要BRK-2026-01')).toEqual([]);
    // Without the stamp (a database restored without it), the names' hash tells.
    await db.execute(sql`delete from customer_list_versions`);
    await db.execute(sql`alter table customers disable trigger user`);
    try {
      await db.insert(customers).values({ name: '博世汽车', aliases: ['博世'] });
      expect(await names('博世 要BRK-2026-01')).toEqual(['博世汽车']);
    } finally {
      await db.execute(sql`alter table customers enable trigger user`);
    }
  });
});
