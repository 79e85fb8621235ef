/**
 * A readable line diff (longest common subsequence), enough for the short texts the cases
 * compare: "-" lines are the reference's, "+" lines are ours, "  " lines are shared context.
 */

/** Splits a text into lines; a final newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The diff of two line lists, each output line prefixed "- ", "+ " or "  ". */
export function diffLines(reference: string[], ours: string[], context = 2): string[] {
  const n = reference.length;
  const m = ours.length;
  // Quadratic table: the compared texts are command outputs and logs of a few hundred lines.
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = reference[i] === ours[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const full: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && reference[i] === ours[j]) {
      full.push('  ' + reference[i]);
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i][j + 1] > lcs[i + 1][j])) {
      full.push('+ ' + ours[j]);
      j++;
    } else {
      full.push('- ' + reference[i]);
      i++;
    }
  }
  // Keep only changed lines and a little context around them.
  const keep = new Array<boolean>(full.length).fill(false);
  full.forEach((line, k) => {
    if (!line.startsWith('  ')) {
      for (let c = Math.max(0, k - context); c <= Math.min(full.length - 1, k + context); c++) keep[c] = true;
    }
  });
  const out: string[] = [];
  let skipped = false;
  full.forEach((line, k) => {
    if (keep[k]) {
      out.push(line);
      skipped = false;
    } else if (!skipped) {
      out.push('  …');
      skipped = true;
    }
  });
  return out;
}
