// The process pass: arity and context messages, sections, vhost merge, per-dir configs,
// unknown and unsupported directives.
import t from 'tap';
import {
  ACCESS_CONF, GLOBAL_ONLY, NOT_IN_DIR_CONTEXT, OR_ALL, OR_AUTHCFG, OR_FILEINFO, RSRC_CONF,
  createDefaultRegistry, processConfigTree, type AnyModule, type ModuleDef, type DirectiveDef, type StartupMessage,
} from '../src/index.js';
import type { ConfigNode } from '@prefork/config-parser';
import type { DirectiveNode, SectionNode } from '@prefork/config-parser';

// Trees built by hand, as config-parser returns them.

let line = 0; // hand-built trees: each node on the next line
const FILE = '/etc/test.conf';

function d(name: string, args = ''): DirectiveNode {
  line += 1;
  return { type: 'directive', name, args, loc: { file: FILE, line, column: 1 }, includedFrom: [] };
}

function s(name: string, args: string, children: ConfigNode[]): SectionNode {
  line += 1;
  const loc = { file: FILE, line, column: 1 };
  return { type: 'section', name, args, children, loc, endLoc: { ...loc, line: line + children.length + 1 }, includedFrom: [] };
}


interface Rec { calls: string[] }
const seen = (cmd: { serverConfig: Rec }, what: string) => {
  cmd.serverConfig.calls.push(what);
  return undefined;
};

const arityDefs: DirectiveDef<Rec, undefined>[] = [
  { name: 'TNone', arity: 'NO_ARGS', context: RSRC_CONF, help: 'h0', set: (c) => seen(c, 'none') },
  { name: 'TOne', arity: 'TAKE1', context: RSRC_CONF, help: 'help one', set: (c, a) => seen(c, a) },
  { name: 'TTwo', arity: 'TAKE2', context: RSRC_CONF, help: 'help two', set: (c, a, b) => seen(c, `${a}|${b}`) },
  { name: 'TOneTwo', arity: 'TAKE12', context: RSRC_CONF, help: 'help 12', set: (c, a, b) => seen(c, `${a}|${b}`) },
  { name: 'TThree', arity: 'TAKE3', context: RSRC_CONF, help: 'help 3', set: (c, a, b, x) => seen(c, `${a}|${b}|${x}`) },
  { name: 'TTwoThree', arity: 'TAKE23', context: RSRC_CONF, help: 'help 23', set: (c, a, b, x) => seen(c, `${a}|${b}|${x}`) },
  { name: 'TOneTwoThree', arity: 'TAKE123', context: RSRC_CONF, help: 'help 123', set: (c, a, b, x) => seen(c, `${a}|${b}|${x}`) },
  { name: 'TOneThree', arity: 'TAKE13', context: RSRC_CONF, help: 'help 13', set: (c, a, b, x) => seen(c, `${a}|${b}|${x}`) },
  { name: 'TIter', arity: 'ITERATE', context: RSRC_CONF, help: 'help it', set: (c, a) => seen(c, a) },
  { name: 'TIter2', arity: 'ITERATE2', context: RSRC_CONF, help: 'help it2', set: (c, a, b) => seen(c, `${a}=${b}`) },
  { name: 'TFlag', arity: 'FLAG', context: RSRC_CONF, help: 'help flag', set: (c, on) => seen(c, String(on)) },
  { name: 'TRaw', arity: 'RAW_ARGS', context: RSRC_CONF, help: '', set: (c, raw) => seen(c, `[${raw}]`) },
  { name: 'TArgv', arity: 'TAKE_ARGV', context: RSRC_CONF, help: '', set: (c, argv) => seen(c, argv.join('+')) },
  { name: 'TGlobal', arity: 'TAKE1', context: RSRC_CONF, help: '', set: (c) => c.checkContext(GLOBAL_ONLY) },
  { name: 'TNotDir', arity: 'TAKE1', context: RSRC_CONF | ACCESS_CONF, help: '', set: (c) => c.checkContext(NOT_IN_DIR_CONTEXT) },
  { name: 'TAuth', arity: 'TAKE1', context: OR_AUTHCFG, help: '', set: (c, a) => seen(c, a) },
  { name: 'TAnywhere', arity: 'TAKE1', context: OR_ALL, help: '', set: (c, a) => { c.dirConfig; return seen(c, `${c.path ?? '-'}:${a}`); } },
];

const testModule: ModuleDef<Rec, undefined> = {
  name: 'test_module',
  sourceFile: 'mod_test.c',
  directives: arityDefs,
  createServerConfig: () => ({ calls: [] }),
  mergeServerConfig: (base, add) => ({ calls: [...base.calls, '|', ...add.calls] }),
};

const registry = createDefaultRegistry([testModule as AnyModule]);
const modules = [...registry.preloaded.map((n) => registry.modules.get(n) as AnyModule), testModule as AnyModule,
  registry.modules.get('authz_core_module') as AnyModule];

function run(tree: ConfigNode[], unimplemented = new Map<string, 'warn-accept' | 'fail-closed'>(), collectAllErrors = false) {
  const log: StartupMessage[] = [];
  const out = processConfigTree({ tree, registry, modules, unimplemented, serverRoot: '/srv', options: {}, log: (m) => log.push(m), collectAllErrors });
  return { ...out, log, calls: (out.main.config.get('test_module') as Rec).calls };
}

t.test('arity: accepted forms split as Apache splits them', async (t) => {
  const r = run([
    d('TNone'), d('TOne', '"a b"'), d('TTwo', 'a b'), d('TOneTwo', 'a'), d('TOneTwo', 'a b'), d('TThree', 'a b c'),
    d('TTwoThree', 'a b'), d('TTwoThree', 'a b c'), d('TOneTwoThree', 'a'), d('TOneThree', 'a'), d('TOneThree', 'a b c'),
    d('TIter', 'x y z'), d('TIter2', 'k v1 v2'), d('TFlag', 'oN'), d('TFlag', 'OFF'), d('TRaw', 'raw  "text"'),
    d('TArgv', "one 'two three'"),
  ]);
  t.equal(r.error, undefined);
  t.same(r.calls, [
    'none', 'a b', 'a|b', 'a|undefined', 'a|b', 'a|b|c', 'a|b|undefined', 'a|b|c', 'a|undefined|undefined',
    'a|undefined|undefined', 'a|b|c', 'x', 'y', 'z', 'k=v1', 'k=v2', 'true', 'false', '[raw  "text"]', 'one+two three',
  ]);
});

t.test('arity errors carry Apache text and the help', async (t) => {
  const cases: [string, string, string][] = [
    ['TNone', 'x', 'TNone takes no arguments'],
    ['TOne', '', 'TOne takes one argument, help one'],
    ['TOne', 'a b', 'TOne takes one argument, help one'],
    ['TTwo', 'a', 'TTwo takes two arguments, help two'],
    ['TTwo', 'a b c', 'TTwo takes two arguments, help two'],
    ['TOneTwo', '', 'TOneTwo takes 1-2 arguments, help 12'],
    ['TOneTwo', 'a b c', 'TOneTwo takes 1-2 arguments, help 12'],
    ['TThree', 'a b', 'TThree takes three arguments, help 3'],
    ['TTwoThree', 'a', 'TTwoThree takes two or three arguments, help 23'],
    ['TTwoThree', 'a b c d', 'TTwoThree takes two or three arguments, help 23'],
    ['TOneTwoThree', 'a b c d', 'TOneTwoThree takes one, two or three arguments, help 123'],
    ['TOneThree', 'a b', 'TOneThree takes one or three arguments, help 13'],
    ['TIter', '', 'TIter requires at least one argument, help it'],
    ['TIter2', 'k', 'TIter2 requires at least two arguments, help it2'],
    ['TFlag', 'maybe', 'TFlag must be On or Off'],
    ['TFlag', '', 'TFlag must be On or Off'],
  ];
  for (const [name, args, msg] of cases) {
    const r = run([d('TNone'), d(name, args)]);
    t.equal(r.error?.message, msg, `${name} ${args}`);
    t.equal(r.error?.loc.line, (r.error?.loc.line ?? 0), 'has a line');
  }
});

t.test('context: override bits and ap_check_cmd_context', async (t) => {
  const cases: [ConfigNode[], string | undefined][] = [
    [[d('TAuth', 'x')], 'TAuth not allowed here'],
    [[s('Directory', '/x', [d('TAuth', 'x')])], undefined],
    [[s('VirtualHost', '*:80', [d('TAuth', 'x')])], 'TAuth not allowed in <VirtualHost> context'],
    [[s('Directory', '/x', [d('TOne', 'x')])], 'TOne not allowed in <Directory> context'],
    [[s('VirtualHost', '*:80', [d('TGlobal', 'x')])], 'TGlobal cannot occur within <VirtualHost> section'],
    [[s('Directory', '/x', [d('TNotDir', 'x')])], 'TNotDir cannot occur within directory context'],
    [[s('Location', '/x', [s('Limit', 'GET', [d('TNotDir', 'x')])])], 'TNotDir cannot occur within <Limit> or <LimitExcept> section'],
    [[s('VirtualHost', '*:80', [s('VirtualHost', '*:81', [])])], '<VirtualHost> cannot occur within <VirtualHost> section'],
    [[s('Directory', '/x', [s('Directory', '/y', [])])], '<Directory not allowed in <Directory> context'],
    [[s('FooSection', 'x', [])], "Invalid command '<FooSection', perhaps misspelled or defined by a module not included in the server configuration"],
    [[d('FooBarDirective', '1')], "Invalid command 'FooBarDirective', perhaps misspelled or defined by a module not included in the server configuration"],
    [[d('Require', 'all granted')], 'Require not allowed here'],
    [[s('Directory', '', [])], '<Directory> directive requires additional arguments'],
  ];
  for (const [tree, msg] of cases) {
    const r = run(tree);
    t.equal(r.error?.message, msg, msg ?? 'accepted');
  }
});

t.test('an error inside a section names the inner line', async (t) => {
  const inner = d('TAuth', '');
  const r = run([s('VirtualHost', '*:80', [s('Directory', '/x', [d('TAnywhere', 'ok'), inner])])]);
  t.equal(r.error?.message, 'TAuth takes one argument');
  t.equal(r.error?.loc.line, inner.loc.line);
});

t.test('collectAllErrors: every error once, at its own line, and the good lines still apply', async (t) => {
  const tree = () => {
    const a = d('TOne', '');
    const inner = d('TAuth', '');
    const none = d('TNone', 'x');
    const section = s('VirtualHost', '*:80', [s('Directory', '/x', [d('TAnywhere', 'ok'), inner]), none]);
    const b = d('Bogus');
    const last = d('TOne', 'kept');
    return { nodes: [a, section, b, last], lines: [a.loc.line, inner.loc.line, none.loc.line, b.loc.line] };
  };
  const first = tree();
  const stop = run(first.nodes);
  t.same(stop.errors.map((e) => e.loc.line), [first.lines[0]], 'by default, the first only');
  t.same(stop.calls, [], 'nothing after it applied');
  const all = tree();
  const r = run(all.nodes, undefined, true);
  t.same(r.errors.map((e) => e.loc.line), all.lines);
  t.same(r.errors.map((e) => e.message), [
    'TOne takes one argument, help one',
    'TAuth takes one argument',
    'TNone takes no arguments',
    "Invalid command 'Bogus', perhaps misspelled or defined by a module not included in the server configuration",
  ]);
  t.equal(r.error, r.errors[0], 'error is the first of them');
  t.same(r.calls, ['kept'], 'the good line after the errors applied');
});

t.test('sections keep order, args, paths and nesting; vhosts merge', async (t) => {
  const r = run([
    d('TOne', 'main'),
    s('Directory', '/var/www', [d('TAnywhere', 'a'), s('Files', '*.txt', [d('TAnywhere', 'b')])]),
    s('Location', '/status', [d('TAnywhere', 'c')]),
    s('DirectoryMatch', '^/srv/(a|b)', []),
    s('Directory', '~ ^/re', []),
    s('Directory', 'rel', []),
    s('VirtualHost', '127.0.0.1:8080 [::1]:8080', [d('TOne', 'vh'), s('Location', '/v', [])]),
  ]);
  t.equal(r.error, undefined);
  t.same(r.main.directories.map((x) => [x.kind, x.path, x.regex]), [
    ['Directory', '/var/www/', false], ['DirectoryMatch', '^/srv/(a|b)', true], ['Directory', '^/re', true], ['Directory', '/srv/rel/', false],
  ]);
  t.same(r.main.directories[0].sections.map((x) => [x.kind, x.path]), [['Files', '*.txt']]);
  t.same(r.main.locations.map((x) => x.path), ['/status']);
  t.equal(r.vhosts.length, 1);
  t.same(r.vhosts[0].addresses, ['127.0.0.1:8080', '[::1]:8080']);
  t.same(r.vhosts[0].locations.map((x) => x.path), ['/v']);
  t.same((r.vhosts[0].config.get('test_module') as Rec).calls, ['main', '/var/www/:a', '*.txt:b', '/status:c', '|', 'vh']);
});

t.test('stock directives we lack: warning for core and warn-accept, error for fail-closed', async (t) => {
  const warn = run([d('LimitXMLRequestBody', '100')]);
  t.equal(warn.error, undefined);
  t.match(warn.log[0], { id: 'PF00001', level: 'warn', message: /^LimitXMLRequestBody: not supported by this server/ });
  const deflate = run([d('DeflateCompressionLevel', '5')], new Map([['deflate_module', 'warn-accept']]));
  t.equal(deflate.error, undefined);
  t.match(deflate.log[0].message, /^DeflateCompressionLevel: not supported by this server \(deflate_module\), ignored \(first on line \d+ of \/etc\/test.conf\)$/);
  const notLoaded = run([d('DeflateCompressionLevel', '5')]);
  t.match(notLoaded.error?.message, /^Invalid command 'DeflateCompressionLevel'/, 'module not loaded: Apache says Invalid command');
  const auth = run([s('Directory', '/x', [d('AuthType', 'Basic')])], new Map([['auth_basic_module', 'fail-closed'], ['authn_core_module', 'fail-closed']]));
  t.match(auth.error?.message, /^AuthType: not supported by this server; authn_core_module enforces access/);
  const req = run([s('Directory', '/x', [d('Require', 'valid-user')])], new Map([['authz_user_module', 'fail-closed']]));
  t.match(req.error?.message, /^Require valid-user: not supported by this server; authz_user_module enforces access/);
  const unknownProvider = run([s('Directory', '/x', [d('Require', 'valid-user')])]);
  t.equal(unknownProvider.error?.message, 'Unknown Authz provider: valid-user');
});
