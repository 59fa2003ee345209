import type { Queue } from 'bullmq';
import { MAX_EVENT_BYTES } from './event.ts';
import { scrubText, scrubValue } from './scrub.ts';
import type { DeadLetter } from './queues.ts';

/** Keeps what arrived, but never more than an event may weigh. */
function capRaw(raw: unknown): unknown {
  const text = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw));
  if (Buffer.byteLength(text) <= MAX_EVENT_BYTES) return raw;
  return { truncated: true, bytes: Buffer.byteLength(text), head: text.slice(0, 4096) };
}

export async function deadLetter(
  queue: Queue<DeadLetter>,
  letter: Omit<DeadLetter, 'receivedAt' | 'raw'> & { raw: unknown },
  jobId?: string,
  secrets: readonly string[] = [],
): Promise<void> {
  // A rejected event is stored too: it is scrubbed like any other.
  const raw = typeof letter.raw === 'string' ? scrubText(letter.raw, secrets) : scrubValue(letter.raw, secrets);
  await queue.add(
    'rejected',
    { ...letter, raw: capRaw(raw), receivedAt: new Date().toISOString() },
    {
      ...(jobId ? { jobId: `dead-${jobId}` } : {}),
      removeOnComplete: false,
      removeOnFail: false,
    },
  );
}
