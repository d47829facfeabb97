/** Collects numbers and pass/fail checks, prints a short summary, and sets the exit code. */
export class DrillReport {
  private readonly checks: Array<{ name: string; ok: boolean; detail: string }> = [];
  private readonly lines: string[] = [];
  private readonly started = performance.now();

  constructor(readonly title: string) {}

  /** A line of numbers, e.g. `wecom: 20 orders, 412 effects`. */
  note(line: string): void {
    this.lines.push(line);
    process.stdout.write(`  ${line}\n`);
  }

  check(name: string, ok: boolean, detail = ''): boolean {
    this.checks.push({ name, ok, detail });
    process.stdout.write(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}\n`);
    return ok;
  }

  /** Same as `check` for a list of offending items: passes when it is empty, shows the first few. */
  none(name: string, offenders: string[]): boolean {
    const shown = offenders.slice(0, 5).join('; ');
    return this.check(
      name,
      offenders.length === 0,
      offenders.length === 0 ? '' : `${offenders.length}: ${shown}${offenders.length > 5 ? ' …' : ''}`,
    );
  }

  get failed(): number {
    return this.checks.filter((c) => !c.ok).length;
  }

  /** Prints the closing lines and exits: 0 only when every check passed. */
  finish(error?: unknown): never {
    if (error !== undefined) {
      this.check('the drill ran to the end', false, String((error as Error)?.stack ?? error));
    }
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    const passed = this.checks.length - this.failed;
    process.stdout.write(`${this.title}: ${passed} passed, ${this.failed} failed in ${seconds}s\n`);
    process.exit(this.failed === 0 && this.checks.length > 0 ? 0 : 1);
  }
}
