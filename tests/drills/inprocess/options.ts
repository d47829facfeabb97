/** Command-line options shared by the in-process drills. */
export interface DrillOptions {
  short: boolean;
  backend: 'postgres' | 'pglite';
  seed: number;
  /** Orders per platform (default depends on --short). */
  orders?: number;
  platforms: Array<'wecom' | 'dingtalk'>;
}

export function drillOptions(argv = process.argv.slice(2)): DrillOptions {
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const seed = value('seed');
  const orders = value('orders');
  const only = value('only');
  return {
    short: argv.includes('--short'),
    backend: argv.includes('--pglite') ? 'pglite' : 'postgres',
    seed: seed !== undefined ? Number(seed) : Math.floor(Math.random() * 2 ** 31),
    ...(orders !== undefined ? { orders: Number(orders) } : {}),
    platforms: only === 'wecom' || only === 'dingtalk' ? [only] : ['wecom', 'dingtalk'],
  };
}
