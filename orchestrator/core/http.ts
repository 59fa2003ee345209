import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';

/** A JSON answer with its length, the way every steward endpoint answers. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A body over its limit: answered 413. */
export class BodyTooLarge extends RangeError {
  override readonly name = 'BodyTooLarge';
}

/**
 * A request's body, at most `maxBytes` (after decompression too, for gzip and deflate
 * when `decompress`). Past the limit the rest is read and dropped, so the 413 answer
 * still reaches a client that is still sending.
 */
export function readBody(req: IncomingMessage, options: { maxBytes: number; decompress?: boolean }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.maxBytes) over = true;
      if (!over) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('error', reject);
    req.on('end', () => {
      if (over) return reject(new BodyTooLarge(`body larger than ${options.maxBytes} bytes`));
      const body = Buffer.concat(chunks);
      const encoding = req.headers['content-encoding'];
      try {
        if (options.decompress && encoding === 'gzip') return resolve(gunzipSync(body, { maxOutputLength: options.maxBytes }));
        if (options.decompress && encoding === 'deflate') return resolve(inflateSync(body, { maxOutputLength: options.maxBytes }));
      } catch (error) {
        // A bomb stops at the limit: zlib refuses to write past maxOutputLength.
        return reject((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? new BodyTooLarge(`body larger than ${options.maxBytes} bytes once decompressed`) : error);
      }
      resolve(body);
    });
  });
}
