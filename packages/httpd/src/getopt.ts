/**
 * The option scanner httpd uses (APR's apr_getopt), reproduced so that every odd corner of
 * httpd's command line behaves the same: clustered flags (`-tD NAME`, `-tDNAME`), an argument
 * glued to its option (`-fconf`), `--` or any `--word` ending the options, a lone `-` stopping
 * the scan, and the two diagnostics APR prints.
 */

/** What one call to {@link Getopt.next} found. */
export type GetoptResult =
  | { kind: 'option'; option: string; arg: string | undefined }
  /** No more options: a non-option word, `--…`, a lone `-`, or the end of argv. */
  | { kind: 'end' }
  /** An unknown option letter (APR_BADCH). */
  | { kind: 'bad-option'; option: string }
  /** A known option whose argument is missing (APR_BADCH, or APR_BADARG with a leading ':'). */
  | { kind: 'missing-arg'; option: string };

/**
 * Scans argv as apr_getopt does. `argv[0]` is the program name; scanning starts at `argv[1]`.
 * `optstring` lists option letters, a letter followed by `:` takes an argument.
 */
export class Getopt {
  /** Index of the next argv element to look at (APR's `ind`). */
  index = 1;
  /** The rest of the current cluster still to be scanned (APR's `place`). */
  private place = '';

  constructor(
    readonly argv: readonly string[],
    private readonly optstring: string,
    /** Where APR's errfn writes; undefined = silent (as in httpd's -k pre-pass). */
    private readonly onError?: (message: string) => void,
    /** The name APR puts before its diagnostics: the base name of argv[0]. */
    private readonly errorName: string = baseName(argv[0] ?? ''),
  ) {}

  next(): GetoptResult {
    if (this.place === '') {
      const word = this.argv[this.index];
      if (word === undefined || !word.startsWith('-')) {
        return { kind: 'end' };
      }
      if (word.length > 1 && word[1] === '-') {
        // APR takes any word starting with "--" as the end of the options and consumes it.
        this.index++;
        return { kind: 'end' };
      }
      // A lone "-" keeps place at "-" itself, which APR then reads as the end of the options.
      this.place = word.length > 1 ? word.slice(1) : word;
    }
    const option = this.place[0] as string;
    this.place = this.place.slice(1);
    const at = option === ':' ? -1 : this.optstring.indexOf(option);
    if (at < 0) {
      if (option === '-') {
        return { kind: 'end' };
      }
      if (this.place === '') this.index++;
      if (!this.optstring.startsWith(':')) {
        this.onError?.(`${this.errorName}: illegal option -- ${option}\n`);
      }
      return { kind: 'bad-option', option };
    }
    if (this.optstring[at + 1] !== ':') {
      if (this.place === '') this.index++;
      return { kind: 'option', option, arg: undefined };
    }
    if (this.place !== '') {
      const arg = this.place;
      this.place = '';
      this.index++;
      return { kind: 'option', option, arg };
    }
    this.index++;
    const arg = this.argv[this.index];
    if (arg === undefined) {
      if (!this.optstring.startsWith(':')) {
        this.onError?.(`${this.errorName}: option requires an argument -- ${option}\n`);
      }
      return { kind: 'missing-arg', option };
    }
    this.index++;
    return { kind: 'option', option, arg };
  }
}

function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash >= 0 ? path.slice(slash + 1) : path;
}
