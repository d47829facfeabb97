import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The product as `npm start` starts it, but without npm and tsx's CLI wrapper in between, so that the child's pid
 * is the product's own process: `tsx [node flags] bot/main.ts` runs `node --import tsx [node flags] bot/main.ts`.
 * `extraFlags` go after the start script's flags: a V8 flag given twice takes its last value, so they can change one.
 */
export function productCommand(extraFlags: string[] = []): string[] {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [runner, ...args] = pkg.scripts.start!.trim().split(/\s+/);
  const script = args.pop()!;
  if (runner === 'tsx') return ['--import', 'tsx', ...args, ...extraFlags, script];
  if (runner === 'node') return [...args, ...extraFlags, script];
  throw new Error(`cannot run the start script without npm: ${pkg.scripts.start}`);
}
