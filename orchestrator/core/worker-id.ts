import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** A worker's name in locks and run timelines: host, pid, and a random part for restarts. */
export function workerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}
