/** A clock tests move by hand. Starts at Tue 2026-02-24 10:00 China time unless told otherwise. */
export class TestClock {
  private t: number;
  private readonly start: number;
  constructor(start = '2026-02-24T10:00:00+08:00') {
    this.t = new Date(start).getTime();
    this.start = this.t;
  }
  /** How far the clock has moved since it started. */
  offsetMs = (): number => this.t - this.start;
  now = (): Date => new Date(this.t);
  advance = (ms: number): void => {
    this.t += ms;
  };
  set(iso: string): void {
    this.t = new Date(iso).getTime();
  }
}
