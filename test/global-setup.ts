import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Tests run the `steward` command, which runs the build in dist/: it is made (or found fresh) first. */
export default function setup(): void {
  execFileSync('bash', [join(import.meta.dirname, '..', '.ci', 'build')], { stdio: 'inherit' });
}
