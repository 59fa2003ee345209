import { decode } from '@jridgewell/sourcemap-codec';

/** Just enough of Source Map v3 to map V8 coverage of loader-made JavaScript back to TypeScript lines. */

/** One mapping: a generated position and the original position it came from (0-based). */
export interface Segment {
  genLine: number;
  genCol: number;
  source: number;
  line: number;
  col: number;
}

/** The segments of a `mappings` string that name an original position (decoded by @jridgewell/sourcemap-codec). */
export function decodeMappings(mappings: string): Segment[] {
  const out: Segment[] = [];
  let lines: ReturnType<typeof decode>;
  try {
    lines = decode(mappings);
  } catch {
    // A malformed map maps nothing: the lines it would have named simply go unranked.
    return out;
  }
  lines.forEach((segments, genLine) => {
    for (const segment of segments) {
      if (segment.length < 4) continue;
      const [genCol, source, line, col] = segment as [number, number, number, number];
      out.push({ genLine, genCol, source, line, col });
    }
  });
  return out;
}
