/**
 * The lexer stage: configuration text → logical lines, as Apache's ap_varbuf_cfg_getline makes
 * them (a line ending in `\` continues on the next one; leading and trailing blanks go; the
 * line number is that of the last physical line read, as Apache counts it).
 */
import { isSpace } from './words.js';
import type { SourceLocation } from './types.js';

/** Apache's VARBUF_MAX_LEN: a logical line of this length or more is "too long". */
export const MAX_LINE_LENGTH = 16 * 1024 * 1024;

/** The pseudo file name Apache gives -C/-c directives. */
export const COMMAND_LINE_FILE = '-c/-C directives';

export interface LogicalLine {
  /** The line, trimmed, continuation lines joined. */
  text: string;
  /** The physical line Apache reports for it (the last one of a continued line). */
  line: number;
  /** 1 + the blanks before the text on its first physical line. */
  column: number;
}

/** A read failure Apache reports as `Error reading FILE at line N: …`. */
export interface LineFailure {
  failure: string;
}

/** Something lines are read from: a file, -C/-c directives, a macro expansion. */
export interface LineSource {
  /** The name Apache shows for it in messages. */
  readonly name: string;
  /** Include/Use lines that led here, outermost first. */
  readonly includedFrom: SourceLocation[];
  /** Apache's line_number: lines consumed so far. */
  readonly lineNumber: number;
  next(): LogicalLine | LineFailure | null;
}

function trimmed(s: string): { text: string; lead: number } {
  let a = 0;
  let b = s.length;
  while (a < b && isSpace(s[a])) a++;
  while (b > a && isSpace(s[b - 1])) b--;
  return { text: s.slice(a, b), lead: a };
}

/** Lines of one configuration file held in memory. */
export class TextSource implements LineSource {
  private readonly physical: string[];
  private index = 0;
  lineNumber = 0;

  constructor(
    readonly name: string,
    text: string,
    readonly includedFrom: SourceLocation[],
  ) {
    // A final newline does not start another line.
    const parts = text.split('\n');
    if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
    // Each part but the last had a newline; remember which did for the continuation rule.
    this.physical = parts;
    this.lastHasNewline = text.endsWith('\n');
  }

  private readonly lastHasNewline: boolean;

  next(): LogicalLine | LineFailure | null {
    if (this.index >= this.physical.length) {
      return null;
    }
    let buf = '';
    let column = 1;
    let first = true;
    for (;;) {
      if (this.index >= this.physical.length) {
        // A continuation at the very end: Apache counts one more line and keeps what it has.
        this.lineNumber++;
        break;
      }
      this.lineNumber++;
      let raw = this.physical[this.index];
      const hadNewline = this.index < this.physical.length - 1 || this.lastHasNewline;
      this.index++;
      // C string functions stop at a NUL byte, and then the newline is not seen either.
      const nul = raw.indexOf('\0');
      const truncated = nul >= 0;
      if (truncated) raw = raw.slice(0, nul);
      if (first) {
        let lead = 0;
        while (lead < raw.length && isSpace(raw[lead])) lead++;
        column = lead + 1;
        first = false;
      }
      if (!truncated && hadNewline) {
        const body = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        if (body.endsWith('\\')) {
          buf += body.slice(0, -1);
          if (buf.length >= MAX_LINE_LENGTH) break;
          continue;
        }
      }
      buf += raw;
      break;
    }
    if (buf.length >= MAX_LINE_LENGTH) {
      return { failure: `Error reading ${this.name} at line ${this.lineNumber}: Line too long` };
    }
    return { text: trimmed(buf).text, line: this.lineNumber, column };
  }
}

/** Lines given one by one (-C/-c directives, macro contents): no continuation between them. */
export class ArraySource implements LineSource {
  private index = 0;
  lineNumber = 0;

  constructor(
    readonly name: string,
    private readonly lines: readonly string[],
    readonly includedFrom: SourceLocation[],
  ) {}

  get exhausted(): boolean {
    return this.index >= this.lines.length;
  }

  next(): LogicalLine | LineFailure | null {
    if (this.index >= this.lines.length) return null;
    const raw = this.lines[this.index++];
    this.lineNumber++;
    const { text, lead } = trimmed(raw);
    return { text, line: this.lineNumber, column: lead + 1 };
  }
}

/**
 * Where a read pass currently takes its lines from. `Use` pushes a macro expansion in front
 * of the current source; when the expansion runs out, reading goes on where `Use` stood,
 * even in the middle of a section, as mod_macro's chained config files do.
 */
export class Cursor {
  private stack: LineSource[];

  constructor(source: LineSource) {
    this.stack = [source];
  }

  get source(): LineSource {
    return this.stack[this.stack.length - 1];
  }

  push(source: LineSource): void {
    this.stack.push(source);
  }

  next(): LogicalLine | LineFailure | null {
    for (;;) {
      const r = this.source.next();
      if (r !== null || this.stack.length === 1) return r;
      this.stack.pop();
    }
  }

  /** The location of a line just read, in the source it came from. */
  locate(line: LogicalLine): SourceLocation {
    return { file: this.source.name, line: line.line, column: line.column };
  }
}
