import type ts from 'typescript';
import type { Edit } from '../source.ts';

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

/** A template's edit of one file, and why, in words a maintainer reads in the proposal. */
export interface TemplateFix {
  template: string;
  edits: Edit[];
  rationale: string;
  /**
   * Among fixes of equal size, which to prefer (lower first): a default that keeps
   * the value's type beats skipping the use, which hides the value's absence.
   */
  preference?: number;
}

/** A fix template: a small AST edit of one kind (Getafix's idea), tried at suspect statements. */
export interface Template {
  readonly name: string;
  propose(site: Site): TemplateFix[];
}
