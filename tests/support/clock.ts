/** A clock tests move by hand. Starts at Tue 2026-02-24 10:00 China time unless told otherwise. */
export class TestClock {
  private t: number;
  constructor(start = '2026-02-24T10:00:00+08:00') {
    this.t = new Date(start).getTime();
  }
  now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
  set(iso: string): void {
    this.t = new Date(iso).getTime();
  }
}
