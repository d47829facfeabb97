import type { CommandIo } from '../../bot/cli-import';

/** Runs a CLI command's own function in this process, as bot/cli.ts would: its exit code and output. */
export async function runCommand(
  command: (args: string[], io: CommandIo) => Promise<number>,
  args: string[],
  env: Record<string, string | undefined>,
) {
  let stdout = '';
  let stderr = '';
  const code = await command(args, {
    env: { ...env },
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}
