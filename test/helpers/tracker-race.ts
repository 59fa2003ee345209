// One contender of a race on the local tracker: `node --import tsx tracker-race.ts <dir> <start-ms> <name>`.
import { LocalTracker } from '../../agents/trackers/local/index.ts';

const [dir, start, name] = process.argv.slice(2);
process.stdout.write('ready\n');
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(start) - Date.now())));
const { created } = await new LocalTracker(dir ?? '.').upsertIssue({ fingerprint: 'race', plugin: 'p', title: 't', body: 'b', labels: [] }, `from ${name ?? '?'}`);
process.stdout.write(`${created ? 'created' : 'commented'}\n`);
