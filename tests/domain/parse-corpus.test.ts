import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMessage, type ParsedMessage } from '../../domain/parse/index';

interface CorpusRow {
  message: string;
  now: string;
  expected: ParsedMessage;
  note?: string;
}

const file = fileURLToPath(new URL('./parse-corpus.jsonl', import.meta.url));
const rows: CorpusRow[] = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as CorpusRow);

describe('parse corpus', () => {
  it('has at least 180 messages', () => {
    expect(rows.length).toBeGreaterThanOrEqual(180);
  });

  for (const [i, row] of rows.entries()) {
    const name = `#${i + 1} ${JSON.stringify(row.message)} @ ${row.now}${row.note ? ` (${row.note})` : ''}`;
    it(name, () => {
      expect(parseMessage(row.message, new Date(row.now))).toEqual(row.expected);
    });
  }
});
