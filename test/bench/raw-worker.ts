/** The baseline of the ingest benchmark: BullMQ with an empty processor, in its own process. */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const [options, concurrency] = process.argv.slice(2);
const connection = new Redis({ ...(JSON.parse(options ?? '{}') as object), maxRetriesPerRequest: null });
const worker = new Worker('raw', async () => undefined, { connection, prefix: 'bench', concurrency: Number(concurrency) });
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
