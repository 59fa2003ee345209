import { pythonString } from './literals.ts';
import { sortedImports, type PythonParts } from './python.ts';

/** A pytest file: one test function with plain asserts. */
export function renderPytest(parts: PythonParts): string {
  const body = [...parts.callLines];
  const imports = [...parts.imports];
  const { refusal } = parts;
  if (parts.call === 'process') {
    if (refusal) {
      body.push('assert proc.returncode != 0, proc.stdout');
      body.push('error = json.loads(proc.stderr.strip().splitlines()[-1])["error"]');
      body.push(`assert (error["type"], error["message"]) == (${pythonString(refusal.type)}, ${pythonString(refusal.message)}), proc.stderr`);
    } else {
      body.push('assert proc.returncode == 0, proc.stderr');
      body.push('json.loads(proc.stdout)');
    }
  } else if (refusal) {
    imports.push('import pytest');
    const [call = ''] = body.splice(0);
    body.push('with pytest.raises(Exception) as raised:', `    ${call}`);
    body.push(`assert (type(raised.value).__name__, str(raised.value)) == (${pythonString(refusal.type)}, ${pythonString(refusal.message)})`);
  }
  return [
    `# ${parts.header}`,
    ...sortedImports(imports),
    '',
    ...parts.setup,
    '',
    '',
    `def test_steward_regression_${parts.short}():`,
    ...body.map((line) => `    ${line}`),
    '',
  ].join('\n');
}
