import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { gitEnv } from './run.ts';

/**
 * A long-lived `git cat-file --batch-command` that answers object queries one at a time
 * over its pipes, so walking thousands of commits costs one process, not thousands.
 */
export class CatFile {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private waiting: ((chunk: Buffer) => void) | undefined;
  private failure: Error | undefined;

  constructor(cwd: string) {
    this.child = spawn('git', ['cat-file', '--batch-command'], { cwd, env: gitEnv() });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiting?.(this.buffer);
    });
    const fail = (error: Error): void => {
      this.failure = error;
      this.waiting?.(this.buffer);
    };
    this.child.on('error', fail);
    this.child.stdin.on('error', fail);
    this.child.on('exit', (code) => fail(new Error(`git cat-file exited (${code})`)));
  }

  private async read(bytes: number): Promise<Buffer> {
    while (this.buffer.length < bytes) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => {
        this.waiting = () => resolve();
      });
    }
    this.waiting = undefined;
    const chunk = this.buffer.subarray(0, bytes);
    this.buffer = this.buffer.subarray(bytes);
    return chunk;
  }

  private async readLine(): Promise<string> {
    for (;;) {
      const newline = this.buffer.indexOf(10);
      if (newline >= 0) return (await this.read(newline + 1)).toString('utf8').slice(0, -1);
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => {
        this.waiting = () => resolve();
      });
    }
  }

  /** The object named by `spec` (`<sha>`, `<sha>:<path>`, `<sha>^{tree}`), or undefined if missing. */
  async get(spec: string): Promise<{ oid: string; type: string; body: Buffer } | undefined> {
    this.child.stdin.write(`contents ${spec}\n`);
    const header = await this.readLine();
    if (isMissing(header)) return undefined;
    const [oid, type, size] = header.split(' ');
    if (!oid || !type || !size) throw new Error(`unexpected cat-file answer: ${header}`);
    const body = await this.read(Number(size) + 1);
    return { oid, type, body: body.subarray(0, -1) };
  }

  /** The object id and type only: a tree id is all a split needs. */
  async oid(spec: string): Promise<{ oid: string; type: string } | undefined> {
    this.child.stdin.write(`info ${spec}\n`);
    const header = await this.readLine();
    if (isMissing(header)) return undefined;
    const [oid, type] = header.split(' ');
    if (!oid || !type) throw new Error(`unexpected cat-file answer: ${header}`);
    return { oid, type };
  }

  close(): void {
    this.child.stdin.end();
  }
}

function isMissing(header: string): boolean {
  return header.endsWith(' missing') || header.endsWith(' ambiguous');
}
