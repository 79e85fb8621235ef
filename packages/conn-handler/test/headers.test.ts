/**
 * mod_headers in the child (handlers/headers.ts): apr_table's rules for each action, edit and
 * edit*, conditions, and the response check of the HTTP header filter. Case http/headers
 * compares whole responses with apache2's.
 */
import t from 'tap';
import { applyHeaderEntries, checkResponseHeaders, formatValue, mergedHeaders, type Table } from '../src/handlers/headers.js';
import type { HeaderEntry } from '../src/config.js';

const vars = { env: new Map([['v', 'one\ntwo']]), requestTimeUs: 1_700_000_000_000_000n };
const text = (s: string) => [{ text: s }];
const run = (entries: HeaderEntry[], table: Table, early = false) => applyHeaderEntries(entries, table, vars, { early, requestHeaders: [['X-In-A', '1'], ['Other', '2'], ['x-in-b', '3']] });

t.test('set keeps the first place and drops repeats; add appends; append joins the first; unset removes all', async (t) => {
  const table: Table = [['A', '1'], ['B', '2'], ['a', '3']];
  run([{ action: 'set', header: 'A', format: text('x') }], table);
  t.same(table, [['A', 'x'], ['B', '2']]);
  run([{ action: 'add', header: 'b', format: text('y') }, { action: 'append', header: 'B', format: text('z') }], table);
  t.same(table, [['A', 'x'], ['B', '2, z'], ['b', 'y']]);
  run([{ action: 'unset', header: 'b' }], table);
  t.same(table, [['A', 'x']]);
});

t.test('merge adds a value only when no element equals it; quoted commas stay inside their element', async (t) => {
  const table: Table = [['M', 'a, "b,c"']];
  run([
    { action: 'merge', header: 'M', format: text('a') },
    { action: 'merge', header: 'M', format: text('"b,c"') },
    { action: 'merge', header: 'M', format: text('b') },
  ], table);
  t.same(table, [['M', 'a, "b,c", b']]);
});

t.test('setifempty, echo, note', async (t) => {
  const table: Table = [['S', 'kept']];
  run([
    { action: 'setifempty', header: 'S', format: text('no') },
    { action: 'setifempty', header: 'T', format: text('yes') },
    { action: 'echo', header: '^X-In' },
    { action: 'note', header: 'S', format: text('n') },
  ], table);
  t.same(table, [['S', 'kept'], ['T', 'yes'], ['X-In-A', '1']], 'echo matches names with case, as the regex is written');
});

t.test('edit replaces the first match, edit* every match, with $n; Content-Type edits the type too', async (t) => {
  const table: Table = [['E', 'aXbXc'], ['E', 'X'], ['Content-Type', 'text/plain']];
  run([{ action: 'edit', header: 'E', regex: 'X', format: text('-') }], table);
  t.same(table, [['Content-Type', 'text/plain'], ['E', 'a-bXc'], ['E', '-']], 'edited entries move to the end, as apr_table_do and add do');
  const star: Table = [['E', 'aXbXc']];
  run([{ action: 'edit*', header: 'E', regex: '([a-c])X', format: text('[$1]') }], star);
  t.same(star, [['E', '[a][b]c']]);
  const empty: Table = [['E', 'abc']];
  run([{ action: 'edit*', header: 'E', regex: 'x*', format: text('.') }], empty);
  t.same(empty, [['E', '.a.b.c.']], 'an empty match moves on');
  const typed: Table = [];
  const type = applyHeaderEntries([{ action: 'edit', header: 'content-type', regex: 'plain', format: text('html') }], typed, vars, { early: false, contentType: 'text/plain' });
  t.equal(type, 'text/html');
});

t.test('conditions: env=, env=!, early; expr= never applies', async (t) => {
  const table: Table = [];
  run([
    { action: 'add', header: 'A', format: text('set'), condition: { env: 'V', negated: false } },
    { action: 'add', header: 'B', format: text('unset'), condition: { env: 'V', negated: true } },
    { action: 'add', header: 'C', format: text('early'), condition: { early: true } },
    { action: 'add', header: 'D', format: text('expr'), expr: 'true' },
  ], table);
  t.same(table, [['A', 'set']], 'late call: env lines by the variable, early lines skipped');
  const early: Table = [];
  run([{ action: 'add', header: 'A', format: text('x') }, { action: 'add', header: 'C', format: text('early'), condition: { early: true } }], early, true);
  t.same(early, [['C', 'early']], 'early call: only early lines');
});

t.test('formats: %{VAR}e unwrapped or (null), %t, %D, %s', async (t) => {
  t.equal(formatValue([{ tag: 'e', arg: 'V' }, { text: '|' }, { tag: 'e', arg: 'none' }, { text: '|' }, { tag: 's', arg: 'SSL_PROTOCOL' }], vars), 'one two|(null)|(null)');
  t.equal(formatValue([{ tag: 't' }], vars), 't=1700000000000000');
  t.match(formatValue([{ tag: 'D' }], vars), /^D=\d+$/);
});

t.test('lines merge server first, then each section in order', async (t) => {
  const a: HeaderEntry = { action: 'unset', header: 'A' };
  const b: HeaderEntry = { action: 'unset', header: 'B' };
  const merged = mergedHeaders({ fixupIn: [], fixupOut: [a], fixupErr: [] }, [{}, { headers: { fixupIn: [b], fixupOut: [b], fixupErr: [] } }]);
  t.same(merged, { fixupIn: [b], fixupOut: [a, b], fixupErr: [] });
  t.equal(mergedHeaders(undefined, []), undefined);
});

t.test('the header filter refuses bad names and control characters, and unfolds folding', async (t) => {
  const folded: Table = [['F', 'a\r\n  b']];
  t.equal(checkResponseHeaders(folded, true), undefined);
  t.same(folded, [['F', 'a b']]);
  t.equal(checkResponseHeaders([['X', 'a\nb']], true), "AH02430: Response header 'X' value of 'a\nb' contains invalid characters, aborting request");
  t.equal(checkResponseHeaders([['X Y', 'v']], true), "AH02429: Response header name 'X Y' contains invalid characters, aborting request");
  t.equal(checkResponseHeaders([['X(Y)', 'v']], false), undefined, 'Unsafe: visible characters are enough');
  t.equal(checkResponseHeaders([['', 'v']], true), 'AH02428: Empty response header name, aborting request');
  t.equal(checkResponseHeaders([['T', 'tab\there']], true), undefined);
});
