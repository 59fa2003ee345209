import { describe, expect, it } from 'vitest';
import { conventionalTitle, cutTitle } from '../../orchestrator/core/title.ts';
import { createFixBranch } from '../../orchestrator/library/fix-branch.ts';
import { commitFile, makeLibrary, sh } from '../helpers/git.ts';

describe('titles as a person writes them', () => {
  it('cuts at a word boundary with an ellipsis, within the limit', () => {
    const title = cutTitle('fix(csv-import): pad rows that are shorter than the header with empty cells instead of failing', 50);
    expect(title).toBe('fix(csv-import): pad rows that are shorter than…');
    expect(title.length).toBeLessThanOrEqual(50);
    expect(cutTitle('short enough', 50)).toBe('short enough');
    expect(cutTitle('  spaces\n and\tlines ', 50)).toBe('spaces and lines');
  });

  it('never cuts inside a code span: the span goes whole or not at all', () => {
    const title = cutTitle('fix(money): read `options.currencyDisplay` before `Intl.NumberFormat` is called', 60);
    expect(title).toBe('fix(money): read `options.currencyDisplay` before…');
    expect((title.match(/`/g) ?? []).length % 2).toBe(0);
    expect(cutTitle('fix(x): `aVeryLongIdentifierThatRunsPastTheLimitOfTheTitle` is read', 30)).toBe('fix(x)…');
  });

  it('is conventional: type(scope), the first line of the summary, lowercased unless an acronym, no final period', () => {
    expect(conventionalTitle('fix', 'csv-import', 'Pad short rows.\n\nThe parser stopped at the first short row.')).toBe('fix(csv-import): pad short rows');
    expect(conventionalTitle('fix', 'paginate', 'URL cursors are decoded once')).toBe('fix(paginate): URL cursors are decoded once');
    expect(conventionalTitle('fix', 'p', '')).toBe('fix(p): fix the reported error');
  });
});

describe('the commits steward makes', () => {
  it('are by the configured author, as author and committer', async () => {
    const library = await makeLibrary();
    const base = commitFile(library.root, 'plugins/p/src/a.js', 'broken\n', 'p: add a');
    const configured = { ...library, config: { ...library.config, commitAuthor: { name: 'Steward Bot', email: 'bot@example.com' } } };
    const made = await createFixBranch(configured, 'p', 'steward/p/abc', { 'src/a.js': 'fixed\n' }, 'fix(p): fix', base);
    expect(sh(library.root, 'log', '-1', '--format=%an <%ae> / %cn <%ce>', made.commit)).toBe('Steward Bot <bot@example.com> / Steward Bot <bot@example.com>');
    const plain = await createFixBranch(library, 'p', 'steward/p/def', { 'src/a.js': 'fixed again\n' }, 'fix(p): fix', base);
    expect(sh(library.root, 'log', '-1', '--format=%an <%ae>', plain.commit)).toBe('steward <steward@localhost>');
  });
});
