/** Just enough of Source Map v3 to map V8 coverage of loader-made JavaScript back to TypeScript lines. */

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One mapping: a generated position and the original position it came from (0-based). */
export interface Segment {
  genLine: number;
  genCol: number;
  source: number;
  line: number;
  col: number;
}

/** The segments of a `mappings` string (Base64 VLQ, fields relative to the previous segment). */
export function decodeMappings(mappings: string): Segment[] {
  const out: Segment[] = [];
  let source = 0;
  let line = 0;
  let col = 0;
  mappings.split(';').forEach((group, genLine) => {
    let genCol = 0;
    for (const part of group.split(',')) {
      if (!part) continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of part) {
        const digit = BASE64.indexOf(char);
        if (digit < 0) return;
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
          continue;
        }
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = 0;
        shift = 0;
      }
      genCol += fields[0] ?? 0;
      if (fields.length < 4) continue;
      source += fields[1] ?? 0;
      line += fields[2] ?? 0;
      col += fields[3] ?? 0;
      out.push({ genLine, genCol, source, line, col });
    }
  });
  return out;
}
