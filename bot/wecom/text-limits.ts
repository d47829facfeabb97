/** Cuts text to at most `bytes` UTF-8 bytes on a character boundary, marking the cut with "…". */
export function clipBytes(text: string, bytes: number): string {
  if (Buffer.byteLength(text) <= bytes) return text;
  let out = '';
  let size = 0;
  const room = bytes - Buffer.byteLength('…');
  for (const char of text) {
    const charBytes = Buffer.byteLength(char);
    if (size + charBytes > room) break;
    out += char;
    size += charBytes;
  }
  return `${out}…`;
}
