import { pythonString } from './literals.ts';
import { sortedImports, type PythonParts } from './python.ts';

/** A unittest file: one TestCase with one test, as `python -m unittest` and discovering runners collect it. */
export function renderUnittest(parts: PythonParts): string {
  const body = [...parts.callLines];
  const { refusal } = parts;
  if (parts.call === 'process') {
    if (refusal) {
      body.push('self.assertNotEqual(proc.returncode, 0, proc.stdout)');
      body.push('error = json.loads(proc.stderr.strip().splitlines()[-1])["error"]');
      // The message (stderr) comes last in the failure: its last line is the error the call did end in.
      body.push(`self.assertEqual((error["type"], error["message"]), (${pythonString(refusal.type)}, ${pythonString(refusal.message)}), proc.stderr)`);
    } else {
      body.push('self.assertEqual(proc.returncode, 0, proc.stderr)');
      body.push('json.loads(proc.stdout)');
    }
  } else if (refusal) {
    const [call = ''] = body.splice(0);
    body.push('with self.assertRaises(Exception) as raised:', `    ${call}`);
    body.push(
      `self.assertEqual((type(raised.exception).__name__, str(raised.exception)), (${pythonString(refusal.type)}, ${pythonString(refusal.message)}), repr(raised.exception))`,
    );
  }
  return [
    `# ${parts.header}`,
    ...sortedImports([...parts.imports, 'import unittest']),
    '',
    ...parts.setup,
    '',
    '',
    `class StewardRegression${parts.short}Test(unittest.TestCase):`,
    '    def test_production_input(self):',
    ...body.map((line) => `        ${line}`),
    '',
    '',
    'if __name__ == "__main__":',
    '    unittest.main()',
    '',
  ].join('\n');
}
