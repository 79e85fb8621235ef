import { readFileSync } from 'node:fs';

/** The extension → type map of a TypesConfig file (mod_mime's `mime_type_extensions`). */
export interface MimeTypes {
  /** Lower-case extension (no dot) → media type as written in the file. */
  readonly byExtension: ReadonlyMap<string, string>;
}

/** A TypesConfig file that cannot be read; the message is httpd's AH01597. */
export class MimeTypesError extends Error {
  readonly code = 'AH01597';
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`AH01597: could not open mime types config file ${file}.`, { cause });
    this.name = 'MimeTypesError';
  }
}

/** Splits a config line into words as `ap_getword_conf` does (quotes group, backslash escapes the quote). */
export function configWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    const quote = line[i] === '"' || line[i] === "'" ? line[i] : undefined;
    if (quote) {
      let j = i + 1;
      let word = '';
      while (j < line.length && line[j] !== quote) {
        if (line[j] === '\\' && line[j + 1] === quote) {
          word += quote;
          j += 2;
        } else {
          word += line[j++];
        }
      }
      words.push(word);
      i = j + 1;
    } else {
      let j = i;
      while (j < line.length && !/\s/.test(line[j])) j++;
      words.push(line.slice(i, j));
      i = j;
    }
  }
  return words;
}

/**
 * Parses the text of a TypesConfig file (`type ext ext …` per line, `#`
 * comments). A later line wins for an extension listed twice, as in httpd.
 */
export function parseMimeTypes(text: string): MimeTypes {
  const byExtension = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [type, ...extensions] = configWords(line);
    for (const ext of extensions) byExtension.set(ext.toLowerCase(), type);
  }
  return { byExtension };
}

/** Reads a TypesConfig file; throws {@link MimeTypesError} when it cannot be read. */
export function loadMimeTypes(file: string): MimeTypes {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (err) {
    throw new MimeTypesError(file, err);
  }
  return parseMimeTypes(text);
}
