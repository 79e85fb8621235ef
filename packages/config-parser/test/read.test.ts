// The tree stage and the read-time directives, on small configurations in temp trees.
import t from 'tap';
import { formatReadError, readConfig, type DirectiveNode, type SectionNode } from '../src/index.js';
import { makeHost, readTree, shape } from './helpers.js';

t.test('directives and sections become a tree with locations', (t) => {
  const r = readTree(t, {
    'main.conf': '# comment\nServerName  a.example \n<Directory "/x y">\n  Require all granted\n  <Files *.txt>\n  </Files>\n</directory>\nListen 80 # not a comment\n',
  });
  t.same(r.errors, []);
  t.same(shape(r.tree), [
    'ServerName a.example',
    { '<Directory "/x y">': ['Require all granted', { '<Files *.txt>': [] }] },
    'Listen 80 # not a comment',
  ]);
  const dir = r.tree[1] as SectionNode;
  t.same(dir.loc, { file: `${r.root}/main.conf`, line: 3, column: 1 });
  t.same(dir.endLoc.line, 7);
  t.equal(dir.rawArgs, '"/x y">');
  t.same((dir.children[0] as DirectiveNode).loc, { file: `${r.root}/main.conf`, line: 4, column: 3 });
  t.same(r.includes, [{ file: `${r.root}/main.conf`, depth: 0 }]);
  t.end();
});

t.test('section argument forms', (t) => {
  const r = readTree(t, { 'main.conf': '<Location>\n</Location>\n<Directory /tmp\n</Directory>\nServerName x>\n' });
  t.same(r.errors, []);
  const [a, b, c] = r.tree as [SectionNode, SectionNode, DirectiveNode];
  t.same([a.args, a.rawArgs], ['', '>'], '<Location> alone: Apache gives args ">"');
  t.same([b.args, b.rawArgs], ['/tmp', '/tmp'], 'no ">" is left for the process pass to reject');
  t.equal(c.name, 'ServerName', 'a trailing ">" on a name goes, as Apache strips it');
  t.end();
});

t.test('nesting errors', (t) => {
  const cases: [string, string, string][] = [
    ['</IfModule>\n', 'E_STRAY_CLOSE', '</IfModule> without matching <IfModule> section'],
    ['<Directory /x>\n</Location>\n', 'E_SECTION_END_EXPECTED', 'Expected </Directory> but saw </Location>'],
    ['<directory /x>\n</Location>\n', 'E_SECTION_END_EXPECTED', 'Expected </Directory> but saw </Location>'],
    ['<Directory /x>\n</Directory\n', 'E_SECTION_MISSING_ANGLE', "</Directory> directive missing closing '>'"],
    ['<IfModule foo\n', 'E_SECTION_MISSING_ANGLE', "<IfModule> directive missing closing '>'"],
    ['<IfModule>\n', 'E_SECTION_ARGS', '<IfModule> directive requires additional arguments'],
    ['<IfModule !>\n', 'E_SECTION_ARGS', '<IfModule> directive requires additional arguments'],
  ];
  for (const [text, code, message] of cases) {
    const r = readTree(t, { 'main.conf': text });
    t.same(r.errors.map((e) => [e.code, e.message]), [[code, message]], JSON.stringify(text));
  }
  const r = readTree(t, { 'main.conf': '<Directory /x>\n<Location /y>\n' });
  t.equal(r.errors[0].message, `${r.root}/main.conf:2: <Location> was not closed.\n${r.root}/main.conf:1: <Directory> was not closed.`);
  t.equal(r.errors[0].loc.line, 1, 'reported at the outermost section');
  t.equal(
    formatReadError(r.errors[0], 'apache2'),
    `apache2: Syntax error on line 1 of ${r.root}/main.conf: ${r.root}/main.conf:2: <Location> was not closed.\\n${r.root}/main.conf:1: <Directory> was not closed.`,
  );
  t.end();
});

t.test('conditional sections', (t) => {
  const r = readTree(
    t,
    {
      'main.conf': [
        '<IfModule version_module>', 'A', '</IfModule>',
        '<IfModule !mod_version.c>', 'B', '<Directory /x>', '</Directory>', '</IfModule>',
        '<IfModule nope_module>', 'C', '<Anything goes>', '</Anything>', '</IfModule>',
        '<IfDefine X>', 'D', '</IfDefine>', '<IfDefine !X>', 'E', '</IfDefine>',
        '<IfFile present>', 'F', '</IfFile>', '<IfFile !/nonexistent/file>', 'G', '</IfFile>',
        '<IfDirective ServerName>', 'H', '</IfDirective>', '<IfDirective !Include>', 'I', '</IfDirective>',
        '<IfSection Directory>', 'J', '</IfSection>', '<IfSection !Nope>', 'K', '</IfSection>',
        '<IfModule version_module>', '<IfDefine X>', '<IfModule nope>', '<Stray x>', '</Stray>', '</IfModule>', 'L', '</IfDefine>', '</IfModule>',
        '',
      ].join('\n'),
      present: '',
    },
    { defines: ['X'] },
  );
  t.same(r.errors, []);
  t.same(shape(r.tree), ['A', 'D', 'F', 'G', 'H', 'J', 'K', 'L']);
  t.end();
});

t.test('unclosed sections: a true condition may run to end of file, a false one may not', (t) => {
  let r = readTree(t, { 'main.conf': '<IfModule version_module>\nA\n<Directory /x>\nB\n' });
  t.same(r.errors, []);
  t.same(shape(r.tree), ['A', { '<Directory /x>': ['B'] }]);
  t.equal((r.tree[1] as SectionNode).unclosed, true);
  r = readTree(t, { 'main.conf': '<IfModule nope>\nA\n' });
  t.same(r.errors.map((e) => [e.code, e.message, e.loc.line]), [
    ['E_SECTION_END_EXPECTED', 'Expected </IfModule> before end of configuration', 1],
  ]);
  r = readTree(t, { 'main.conf': '<IfModule !version_module>\n<Directory /x>\n</IfModule>\n' });
  t.same(r.errors.map((e) => [e.message, e.loc.line]), [['Expected </Directory> but saw </IfModule>', 1]]);
  r = readTree(t, { 'main.conf': '<IfModule nope>\n</IfModule\n' });
  t.same(r.errors.map((e) => e.message), ['Expected </IfModule> but saw </IfModul>'], 'the soak cuts the last character, whatever it is');
  t.end();
});

t.test('Define, UnDefine, ${VAR}', (t) => {
  const r = readTree(
    t,
    {
      'main.conf': [
        'Define A one', 'Define B', 'Define C ""', 'ServerName ${A} ${B} ${C}x ${HOME_X} ${NOPE} ${rewrite:map}',
        'UnDefine A', 'ServerName ${A}', '<IfDefine B>', 'Defined B', '</IfDefine>', '<IfDefine A>', 'Never', '</IfDefine>',
        '<IfDefine CLI>', 'Cli', '</IfDefine>', '<Directory ${HOME_X}>', '</Directory>', '',
      ].join('\n'),
    },
    { env: { HOME_X: '/h', B: 'from-env' }, defines: ['CLI'] },
  );
  t.same(r.errors, []);
  t.same(shape(r.tree), [
    'ServerName one from-env ${C}x /h ${NOPE} ${rewrite:map}',
    'ServerName ${A}',
    'Defined B',
    'Cli',
    { '<Directory /h>': [] },
  ]);
  t.same(
    r.warnings.map((w) => [w.id, w.module, w.level, w.message, w.loc.line]),
    [
      ['AH00111', 'core', 'warn', 'Config variable ${C} is not defined', 4],
      ['AH00111', 'core', 'warn', 'Config variable ${NOPE} is not defined', 4],
      ['AH00111', 'core', 'warn', 'Config variable ${A} is not defined', 6],
    ],
  );
  t.same([...r.defines], [['CLI', ''], ['B', ''], ['C', '']]);
  t.end();
});

t.test('IfVersion against host.version 2.4.71', (t) => {
  const taken = (cond: string) => {
    const r = readTree(t, { 'main.conf': `<IfVersion ${cond}>\nYes\n</IfVersion>\n` });
    t.same(r.errors, [], cond);
    return r.tree.length === 1;
  };
  const table: [string, boolean][] = [
    ['2.4.71', true], ['2.4', false], ['= 2.4.71', true], ['== 2.4.71', true], ['!= 2.4.70', true],
    ['>= 2.4', true], ['> 2.4.71', false], ['>= 2.4.71', true], ['< 2.5', true], ['<= 2.4.70', false],
    ['~ ^2\\.4', true], ['!~ ^2\\.4', false], ['/^2\\.4\\./', true], ['= /^3/', false], ['"2.4.71"', true],
    ['< "3" ', true], ['2.', false], ['2', false],
  ];
  for (const [cond, want] of table) t.equal(taken(cond), want, `<IfVersion ${cond}>`);
  const errs: [string, string][] = [
    ['2.4.x', 'Version appears to be invalid. It must have the format major[.minor[.patch]] where major, minor and patch are numbers.'],
    ['2.4.71.1', 'Version appears to be invalid. It must have the format major[.minor[.patch]] where major, minor and patch are numbers.'],
    ['=> 2', "unrecognized operator '=>'"],
    ['! 2.4', "unrecognized operator '!'"],
    ['/^2\\.5', 'Missing delimiting / of regular expression.'],
    ['~ [', 'Unable to compile regular expression'],
    ['a b c d', '<IfVersion takes one, two or three arguments, a comparison operator, a version (and a delimiter)'],
  ];
  for (const [cond, message] of errs) {
    const r = readTree(t, { 'main.conf': `<IfVersion ${cond}>\n</IfVersion>\n` });
    t.same(r.errors.map((e) => e.message), [message], cond);
  }
  const r = readTree(t, { 'main.conf': '<IfVersion >= 2.4\n</IfVersion>\n' });
  t.same(r.errors.map((e) => [e.code, e.message]), [['E_SECTION_MISSING_ANGLE', "<IfVersion> directive missing closing '>'"]]);
  t.end();
});

t.test('Macro, Use, UndefMacro', (t) => {
  const load = 'LoadModule macro_module /dev/null\n';
  let r = readTree(t, {
    'main.conf': `${load}<Macro VHost $name @quoted>\n  # a comment\n  <VirtualHost $name>\n    ServerName $name.example\n    Alias @quoted\n  </VirtualHost>\n</Macro>\nUse VHost a "x \\"y"\nUse vhost b ''\nUndefMacro VHOST\n`,
  });
  t.same(r.errors, []);
  t.same(shape(r.tree), [
    'LoadModule macro_module /dev/null',
    { '<VirtualHost a>': ['ServerName a.example', 'Alias "x \\"y"'] },
    { '<VirtualHost b>': ['ServerName b.example', 'Alias ""'] },
  ]);
  const vh = r.tree[1] as SectionNode;
  const where = `macro 'vhost' (defined on line 2 of "${r.root}/main.conf") used on line 9 of "${r.root}/main.conf"`;
  t.same(vh.loc, { file: where, line: 1, column: 1 }, 'lines of an expansion are named as Apache names them');
  t.same(vh.includedFrom, [{ file: `${r.root}/main.conf`, line: 9, column: 1, via: 'Use' }]);
  t.same(r.warnings.map((w) => w.id), ['AH02798']);

  r = readTree(t, { 'main.conf': `${load}<Macro m $x>\n<Directory $x>\n</Macro>\nUse m /a\nInside\n</Directory>\n` });
  t.same(r.errors, []);
  t.same(shape(r.tree), ['LoadModule macro_module /dev/null', { '<Directory /a>': ['Inside'] }], 'an expansion can open a section the file closes');

  const errs: [string, string][] = [
    ['Use m\n', 'no macro defined before Use'],
    ['UndefMacro m\n', 'no macro defined before UndefMacro'],
    ['<Macro m $a>\nX $a\n</Macro>\nUse\n', 'no macro name specified with Use'],
    ['<Macro m $a>\nX $a\n</Macro>\nUse n\n', "macro 'n' undefined"],
    ['<Macro m $a>\nX $a\n</Macro>\nUse m\n', `macro 'm' (defined on line 2 of "@/main.conf") used with 0 arguments instead of 1`],
    ['<Macro m $a>\nUse m $a\n</Macro>\nUse m 1\n', "recursive use of macro 'm' is invalid"],
    ['<Macro m $a $a>\n</Macro>\n', `argument name conflict in macro 'm' (defined on line 2 of "@/main.conf"): argument '$a': #1 and #2, change argument names!`],
    ['<Macro m "">\n</Macro>\n', `macro 'm' (defined on line 2 of "@/main.conf"): empty argument #1 name`],
    ['<Macro m\n', "<Macro> directive missing closing '>'"],
    ['<Macro >\n', '<Macro macro definition: empty name'],
    ['<Macro "">\n', '<Macro macro definition: name not found'],
    ['<Macro m>\nX\n', `macro 'm' (defined on line 2 of "@/main.conf")\n\tcontents error: expected token not found: </Macro>`],
    ['<Macro m $a>\nX $a\n</Macro>\nUndefMacro n\n', "cannot remove undefined macro 'n'"],
    ['<Macro m $a>\nX $a\n</Macro>\nUndefMacro\n', 'UndefMacro takes one argument, Remove a macro definition.'],
  ];
  for (const [text, message] of errs) {
    const rr = readTree(t, { 'main.conf': load + text });
    t.same(rr.errors.map((e) => [e.code, e.message]), [[message.startsWith('UndefMacro takes') ? 'E_ARGS' : 'E_MACRO', message.replaceAll('@', rr.root)]], text);
  }

  r = readTree(t, { 'main.conf': `${load}<Macro $m a $ab $abc>\n</Foo>\nX a $ab\n</Macro> junk\n<Macro $m>\nY\n</Macro>\n<Macro e>\n</Macro>\n` });
  t.same(r.errors, []);
  t.ok(r.warnings.every((w) => w.module === 'macro' && w.level === 'warn'));
  const at2 = `(defined on line 2 of "${r.root}/main.conf")`;
  t.same(
    r.warnings.map((w) => `${w.id} ${w.message}`),
    [
      `AH02803 macro '$m' ${at2} better prefix a macro name with any of '$%@'`,
      `AH02796 macro '$m' ${at2} argument name 'a' (#1) without expected prefix, better prefix argument names with one of '$%@'.`,
      `AH02797 macro '$m' ${at2}: argument name prefix conflict ($ab #2 and $abc #3), be careful about your macro definition!`,
      `AH02793 bad (negative) nesting on line 3 of macro '$m' ${at2}`,
      `AH02989 AH02794: non blank chars found after directive closing on line 5 of ${r.root}/main.conf:  junk`,
      `AH02795 bad cumulated nesting (-1) in macro '$m' ${at2}`,
      `AH02800 macro '$m' ${at2}: argument '$abc' (#3) never used`,
      `AH02802 macro '$m' multiply defined: defined on line 2 of "${r.root}/main.conf", redefined on line 6 of "${r.root}/main.conf"`,
      `AH02803 macro '$m' (defined on line 6 of "${r.root}/main.conf") better prefix a macro name with any of '$%@'`,
      `AH02799 macro 'e' (defined on line 9 of "${r.root}/main.conf"): empty contents!`,
    ],
    'the same warnings, in the same order, as apache2 -t gives for this file',
  );

  r = readTree(t, { 'main.conf': '<Macro m>\n</Macro>\nUse m\n' });
  t.same(shape(r.tree), [{ '<Macro m>': [] }, 'Use m'], 'without mod_macro these are ordinary lines for the process pass');
  t.end();
});

t.test('execOnRead sees directives in order; <IfModule> below sees what they loaded', (t) => {
  const host = makeHost();
  const r = readTree(
    t,
    { 'main.conf': '<IfModule status_module>\nNo\n</IfModule>\nLoadModule status_module /dev/null\n<IfModule status_module>\nYes\n</IfModule>\nLoadModule status_module /dev/null\nLoadModule log_config_module /dev/null\nAfter\n' },
    { host },
  );
  t.same(host.seen, ['LoadModule status_module /dev/null', 'LoadModule status_module /dev/null', 'LoadModule log_config_module /dev/null']);
  t.same(shape(r.tree), ['LoadModule status_module /dev/null', 'Yes', 'LoadModule status_module /dev/null', 'LoadModule log_config_module /dev/null']);
  t.same(r.warnings.map((w) => [w.id, w.module, w.message, w.loc.line]), [['AH01574', 'so', 'module status_module is already loaded, skipping', 8]]);
  t.same(r.errors.map((e) => [e.code, e.message, e.loc.line]), [['E_HOST', "module log_config_module is built-in and can't be loaded", 9]]);
  t.end();
});

t.test('ServerRoot moves the base of later relative paths', (t) => {
  const r = readTree(t, {
    'main.conf': 'Include a.conf\nServerRoot sub\nInclude a.conf\n<IfFile only-in-sub>\nFound\n</IfFile>\n',
    'a.conf': 'Top\n',
    'sub/a.conf': 'Sub\n',
    'sub/only-in-sub': '',
  });
  // A relative ServerRoot is taken from the working directory, as apr_filepath_merge does.
  t.same(r.errors.map((e) => e.message), ['ServerRoot must be a valid directory']);
  const abs = readTree(t, { 'x.conf': '' });
  const r2 = readTree(t, {
    'main.conf': `Include a.conf\nServerRoot ${abs.root}\nInclude x.conf\nServerRoot "${abs.root}/"\n`,
    'a.conf': 'Top\n',
  });
  t.same(r2.errors, []);
  t.same(shape(r2.tree), ['Top', `ServerRoot ${abs.root}`, `ServerRoot "${abs.root}/"`], 'the node stays for the process pass');
  t.equal(r2.serverRoot, abs.root);
  t.same(readTree(t, { 'main.conf': 'ServerRoot\n' }).errors.map((e) => [e.code, e.message]), [
    ['E_ARGS', 'ServerRoot takes one argument, Common directory of server-related files (logs, confs, etc.)'],
  ]);
  t.end();
});

t.test('-C and -c directives', (t) => {
  let r = readTree(t, { 'main.conf': 'Main\n', 'pre.conf': 'FromPre\n' }, { preDirectives: ['Define P', 'Include pre.conf'], postDirectives: ['<IfDefine P>', 'Post', '</IfDefine>'] });
  t.same(r.errors, []);
  t.same(shape(r.tree), ['FromPre', 'Main', 'Post']);
  r = readTree(t, { 'main.conf': '' }, { preDirectives: ['<Directory /x>'] });
  t.equal(formatReadError(r.errors[0], 'apache2'), 'apache2: Syntax error in -C/-c directive: -c/-C directives:1: <Directory> was not closed.');
  r = readTree(t, { 'main.conf': '', 'bad.conf': 'x\n</Bad>\n' }, { postDirectives: ['A', 'Include bad.conf'] });
  t.equal(formatReadError(r.errors[0], 'apache2'), `apache2: Syntax error in -C/-c directive: Syntax error on line 2 of ${r.root}/bad.conf: </Bad> without matching <Bad> section`);
  const other = readTree(t, { 'conf/x.conf': 'InOther\n' });
  r = readTree(t, {}, { main: 'conf/x.conf', preDirectives: [`ServerRoot ${other.root}`] });
  t.same(shape(r.tree), [`ServerRoot ${other.root}`, 'InOther'], 'the main file is found from a ServerRoot given by -C');
  t.end();
});

t.test('stopAtFirstError: false collects every error and reads on', (t) => {
  const text = '</A>\n<B x>\n</C>\nInclude nope.conf\n<IfModule>\nOk\n<D>\n';
  const first = readTree(t, { 'main.conf': text });
  t.equal(first.errors.length, 1);
  const all = readTree(t, { 'main.conf': text }, { stopAtFirstError: false });
  t.same(all.errors.map((e) => [e.code, e.loc.line]), [
    ['E_STRAY_CLOSE', 1],
    ['E_SECTION_END_EXPECTED', 3],
    ['E_OPEN', 4],
    ['E_SECTION_ARGS', 5],
    ['E_SECTION_NOT_CLOSED', 7],
  ]);
  t.same(shape(all.tree), [{ '<B x>': [] }, 'Ok', { '<D >': [] }]);
  t.end();
});

t.test('a missing main file', (t) => {
  const r = readConfig({ file: '/nonexistent/httpd.conf', serverRoot: '/', host: makeHost() });
  t.same(r.errors.map((e) => [e.code, e.noLine]), [['E_OPEN', true]]);
  t.equal(formatReadError(r.errors[0], 'apache2'), 'apache2: Could not open configuration file /nonexistent/httpd.conf: No such file or directory');
  t.end();
});
