import type ts from 'typescript';
import type { Proposed } from '../candidates.ts';

/** Where a template may change something: one statement of a suspect line. */
export interface Site {
  /** Plugin-relative path. */
  file: string;
  sf: ts.SourceFile;
  statement: ts.Node;
  line: number;
  /** What the reproduction threw, when it threw. */
  error?: { type: string; message: string };
}

/** A template's edit of one file, why, and how much to prefer it. */
export type TemplateFix = Proposed;

/** A fix template: a small AST edit of one kind (Getafix's idea), tried at suspect statements. */
export interface Template {
  readonly name: string;
  propose(site: Site): TemplateFix[];
}
