/** mod_headers' value formats (parse_format_string), with the answers apache2 -t gives for the same text. */
import t from 'tap';
import { parseHeaderFormat } from '../src/modules/headers.js';

t.test('text, escapes and specifiers', async (t) => {
  t.same(parseHeaderFormat('a\\tb\\nc\\rd\\\\e\\qf'), [{ text: 'a\tb\nc\rd\\e\\qf' }], 'known escapes; another backslash is kept');
  t.same(parseHeaderFormat('x=%{HOME}e;%t;%D'), [{ text: 'x=' }, { tag: 'e', arg: 'HOME' }, { text: ';' }, { tag: 't' }, { text: ';' }, { tag: 'D' }]);
  t.same(parseHeaderFormat('%%%'), [{ text: '%' }, { text: '%' }], '%% and a final % are percent signs');
  t.same(parseHeaderFormat(''), [], 'an empty value has no tags');
  t.same(parseHeaderFormat('%{unterminated'), 'Unrecognized header format %', 'a brace to the end leaves no specifier letter');
});

t.test('an unknown specifier is the error apache2 -t prints', async (t) => {
  t.equal(parseHeaderFormat('%z'), 'Unrecognized header format %z');
  t.equal(parseHeaderFormat('a%{x}q'), 'Unrecognized header format %q');
  t.same(parseHeaderFormat('%l%i%b%{X}s'), [{ tag: 'l' }, { tag: 'i' }, { tag: 'b' }, { tag: 's', arg: 'X' }]);
});
