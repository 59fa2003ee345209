import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp.ts';

/** A Python plugin in a temp dir: one module, an entry that speaks the host's protocol, a unittest suite. */
export function pythonPlugin(module: string, tests: string): string {
  const dir = join(tempDir(), 'calc');
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'test'));
  writeFileSync(join(dir, 'src/calc.py'), module);
  writeFileSync(
    join(dir, 'src/main.py'),
    [
      'import json, sys, traceback',
      'from calc import run',
      'def main():',
      '    try:',
      '        request = json.loads(sys.stdin.read())',
      '        result = run(request["input"])',
      '    except Exception as exc:',
      '        sys.stderr.write(json.dumps({"error": {"type": type(exc).__name__, "message": str(exc), "stack": traceback.format_exc()}}) + "\\n")',
      '        return 1',
      '    sys.stdout.write(json.dumps(result) + "\\n")',
      '    return 0',
      'sys.exit(main())',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'test/test_calc.py'),
    `import sys, unittest\nsys.path.insert(0, "src")\nfrom calc import *\n\n${tests}\n\nif __name__ == "__main__":\n    unittest.main()\n`,
  );
  writeFileSync(
    join(dir, 'plugin.json'),
    JSON.stringify({
      name: 'calc',
      version: '1.0.0',
      description: 'A scratch plugin for the offline fixer.',
      runtime: 'python',
      entry: 'src/main.py',
      test: { command: ['python3', 'test/test_calc.py'], format: 'exit-code', timeoutMs: 60000 },
      env: [],
      limits: { timeoutMs: 10000, memoryMb: 128 },
      requires: { files: [], gpu: false, bins: ['python3'] },
      owners: ['@x'],
    }),
  );
  return dir;
}
