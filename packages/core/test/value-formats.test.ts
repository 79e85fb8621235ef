/** Values modules parse at load: mod_headers' formats (parse_format_string) and mod_expires' codes (check_code), with apache2 -t's answers for the same text. */
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

t.test("mod_expires' codes (check_code), with apache2 -t's answers", async (t) => {
  const { expiresCode } = await import('../src/modules/expires.js');
  t.same(expiresCode('A3600'), { code: 'A3600' }, 'the compact form is kept as written');
  t.same(expiresCode('access plus 1 hour'), { code: 'A3600' });
  t.same(expiresCode('now plus 1 day 1 hour 1 minute'), { code: 'A90060' });
  t.same(expiresCode('modification 2 weeks'), { code: 'M1209600' }, '"plus" may be left out');
  t.same(expiresCode('a 1 mo 2 mi 3 s 1 y 1 w 1 d 1 h'), { code: `A${2592000 + 120 + 3 + 31536000 + 604800 + 86400 + 3600}` }, 'units by their first letters');
  t.same(expiresCode('access plus 1 dya'), { code: 'A86400' }, 'a misspelt unit with the right first letter passes, as in Apache');
  t.same(expiresCode('n p 1 m'), { error: "bad expires code, unrecognised <type>'m'" });
  t.same(expiresCode('bogus plus 1 day'), { error: "bad expires code, unrecognised <base> 'bogus'" });
  t.same(expiresCode('now plus x day'), { error: "bad expires code, numeric value expected <num> 'x'" });
  t.same(expiresCode('now plus 1'), { error: 'bad expires code, missing <type>' });
});

t.test('RequestReadTimeout: a stage as written, the defaults for the others', async (t) => {
  const { reqtimeoutModule, reqTimeoutLimits } = await import('../src/modules/reqtimeout.js');
  const set = reqtimeoutModule.directives![0]!.set as (cmd: unknown, args: string) => string | undefined;
  const conf = {};
  t.equal(set({ serverConfig: conf }, 'header=5-10,MinRate=100 BODY=0'), undefined);
  t.same(reqTimeoutLimits(conf, 'header'), { timeout: 5, maxTimeout: 10, minRate: 100 });
  t.same(reqTimeoutLimits(conf, 'body'), { timeout: 0, maxTimeout: 0, minRate: 0 }, 'body=0: off');
  t.same(reqTimeoutLimits({}, 'header'), { timeout: 20, maxTimeout: 40, minRate: 500 }, 'MRT_DEFAULT_header');
  t.same(reqTimeoutLimits({}, 'body'), { timeout: 20, maxTimeout: 0, minRate: 500 });
  t.equal(set({ serverConfig: {} }, 'header=5x'), "RequestReadTimeout: header=5x: Cannot parse 'x'");
  t.equal(set({ serverConfig: {} }, 'header=x'), "RequestReadTimeout: header=x: Value 'x' not numerical");
  t.equal(set({ serverConfig: {} }, 'header=10-5,minrate=2'), 'RequestReadTimeout: header=10-5,minrate=2: Maximum timeout must be larger than initial timeout');
});

t.test('IndexOptions inheritance (merge_autoindex_configs)', async (t) => {
  const { autoindexModule, mergeAutoindexConfig, AUTOINDEX } = await import('../src/modules/autoindex.js');
  const set = autoindexModule.directives!.find((d) => d.name === 'IndexOptions')!.set as (cmd: unknown, argv: string[]) => string | undefined;
  const make = (...words: string[]) => {
    const dirConfig = autoindexModule.createDirConfig!(undefined);
    t.equal(set({ dirConfig }, words), undefined, words.join(' '));
    return dirConfig;
  };
  const base = make('FancyIndexing', 'HTMLTable');
  const incremental = mergeAutoindexConfig(base, make('-HTMLTable', '+FoldersFirst'));
  // The OPTION_UNSET bit stays in a set value, as in add_opts; only equality with it means unset.
  const flags = (o: number) => o & ~AUTOINDEX.OPTION_UNSET;
  t.equal(flags(incremental.opts), AUTOINDEX.FANCY_INDEXING | AUTOINDEX.FOLDERS_FIRST, '+/- change what is inherited');
  const replacing = mergeAutoindexConfig(base, make('VersionSort'));
  t.equal(flags(replacing.opts), AUTOINDEX.VERSION_SORT, 'options without +/- replace');
  t.equal(mergeAutoindexConfig(base, make('None')).opts, AUTOINDEX.NO_OPTIONS);
  t.equal(set({ dirConfig: autoindexModule.createDirConfig!(undefined) }, ['+None']), "Cannot combine '+' or '-' with 'None' keyword");
});
