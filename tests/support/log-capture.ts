import { Writable } from 'node:stream';
import { createLogger } from '../../bot/logger';

/** Everything the app logs, at debug level, as the JSON lines pino writes. */
export function captureLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger('debug', stream), lines, text: () => lines.join('') };
}
