/** Diagnostics: every problem the generator finds, reported at once as `path:line:col: message`. */
import { relative } from "node:path";
import type { Node } from "ts-morph";

/** One problem in an app's sources. */
export interface Diagnostic {
  /** File path, relative to the working directory. */
  readonly file: string;
  /** 1-based line, or 0 when the problem has no position (the app as a whole). */
  readonly line: number;
  /** 1-based column, or 0. */
  readonly column: number;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/** Formats a diagnostic as `path:line:col: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  return d.line > 0 ? `${d.file}:${d.line}:${d.column}: ${d.message}` : `${d.file}: ${d.message}`;
}

/** Collects diagnostics for one run of the generator. */
export class Diagnostics {
  readonly list: Diagnostic[] = [];

  constructor(private readonly cwd: string) {}

  /** Reports a problem at a node. */
  at(node: Node, message: string): void {
    const sf = node.getSourceFile();
    const { line, column } = sf.getLineAndColumnAtPos(node.getStart());
    this.list.push({ file: this.path(sf.getFilePath()), line, column, message });
  }

  /** Where a node is, as `path:line:col` with the path as diagnostics show it (to name another place in a message). */
  position(node: Node): string {
    const sf = node.getSourceFile();
    const { line, column } = sf.getLineAndColumnAtPos(node.getStart());
    return `${this.path(sf.getFilePath())}:${line}:${column}`;
  }

  /** Reports a problem with a file or folder as a whole. */
  in(path: string, message: string): void {
    this.list.push({ file: this.path(path), line: 0, column: 0, message });
  }

  /** Tells whether any problem was reported. */
  get failed(): boolean {
    return this.list.length > 0;
  }

  private path(p: string): string {
    const rel = relative(this.cwd, p);
    return rel === "" ? "." : rel;
  }
}
