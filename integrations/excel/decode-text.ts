/**
 * Bytes of a text export (CSV, or the HTML/TSV that some "导出Excel" buttons save as .xls) to a string.
 *
 * Chinese Windows tools write either UTF-8 (often with a BOM), UTF-16 with a BOM (Excel's
 * "Unicode text"), or the ANSI code page GBK. GBK is a subset of GB18030, which Node 20 decodes
 * natively (full ICU is built in). Text that is not valid UTF-8 is taken as GB18030: any byte
 * sequence decodes, so the guess can only be wrong for files in some third encoding (Big5), whose
 * headers then simply do not match.
 */
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

export function decodeText(bytes: Uint8Array): { text: string; encoding: TextEncodingName } {
  const [b0, b1, b2] = [bytes[0], bytes[1], bytes[2]];
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf)
    return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8' };
  if (b0 === 0xff && b1 === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' };
  if (b0 === 0xfe && b1 === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
  }
}

/** NUL bytes do not occur in UTF-8 or GBK text; a file with them (and no UTF-16 BOM) is binary. */
export function looksBinary(bytes: Uint8Array): boolean {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return false;
  return bytes.subarray(0, 8192).includes(0);
}
