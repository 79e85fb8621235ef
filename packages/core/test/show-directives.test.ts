import t from 'tap';
import { ACCESS_CONF, OR_ALL, OR_AUTHCFG, OR_FILEINFO, OR_INDEXES, OR_LIMIT, RSRC_CONF, allowedIn, contextOfAllowed, createDefaultRegistry, loadCatalogue, loadCommandTables, showDirectives, showLoadedDirectives, type AnyModule, type CommandTables } from '../src/index.js';

t.test("allowedIn: show_overrides' wording for each kind of context", async (t) => {
  const outside = '\tAllowed in *.conf only outside <Directory>, <Files>, <Location>, or <If>\n';
  const inside = '\tAllowed in *.conf only inside <Directory>, <Files>, <Location>, or <If>';
  t.equal(allowedIn(RSRC_CONF, false), outside, 'server config only');
  t.equal(allowedIn(RSRC_CONF | ACCESS_CONF, true), '\tAllowed in *.conf anywhere\n');
  t.equal(allowedIn(ACCESS_CONF, false), `${inside} [no per-dir config]\n`, 'a per-dir directive of a module without per-dir config');
  t.equal(allowedIn(OR_AUTHCFG, true), `${inside} and in .htaccess\n\twhen AllowOverride includes AuthConfig\n`);
  t.equal(allowedIn(OR_ALL, true), "\tAllowed in *.conf anywhere and in .htaccess\n\twhen AllowOverride isn't None\n");
  t.equal(allowedIn(OR_FILEINFO | OR_INDEXES, true), '\tAllowed in *.conf anywhere and in .htaccess\n\twhen AllowOverride includes FileInfo or Indexes\n');
  t.equal(allowedIn(OR_LIMIT | OR_AUTHCFG, true), `${inside} and in .htaccess\n\twhen AllowOverride includes AuthConfig or Limit\n`, 'AuthConfig first, as config.c prints');
});

t.test('showDirectives: name (source file), help when there is one, then where allowed', async (t) => {
  const m: AnyModule = {
    name: 'x_module', sourceFile: 'mod_x.c',
    directives: [
      { name: 'XOne', arity: 'TAKE1', context: RSRC_CONF, help: 'one value', set: () => undefined },
      { name: 'XTwo', arity: 'FLAG', context: OR_INDEXES, help: '', set: () => undefined },
    ],
  };
  t.equal(
    showDirectives([m]),
    'XOne (mod_x.c)\n\tone value\n\tAllowed in *.conf only outside <Directory>, <Files>, <Location>, or <If>\n' +
      'XTwo (mod_x.c)\n\tAllowed in *.conf anywhere [no per-dir config] and in .htaccess\n\twhen AllowOverride includes Indexes\n',
  );
});

t.test("showLoadedDirectives: a stock module as Apache's table has it, any other with its own", async (t) => {
  const own: AnyModule = {
    name: 'hello_module', sourceFile: 'mod_hello.c',
    directives: [{ name: 'Hello', arity: 'TAKE1', context: RSRC_CONF, help: 'greeting', set: () => undefined }],
  };
  const ours: AnyModule = {
    name: 'mime_module', sourceFile: 'mod_mime.c',
    directives: [{ name: 'AddType', arity: 'ITERATE2', context: OR_FILEINFO, help: 'ours', set: () => undefined }],
  };
  const tables: CommandTables = {
    recordedWith: 'test',
    modules: {
      'mod_mime.c': [{ name: 'AddCharset', help: 'a charset', allowed: '\tAllowed in *.conf anywhere\n' }, { name: 'AddType', help: null, allowed: '\tA\n' }],
      'mod_sed.c': [{ name: 'OutputSed', help: 'Sed regular expression for Response', allowed: '\tB\n' }],
    },
  };
  const catalogue = loadCatalogue();
  const result = {
    modules: [
      { name: 'mime_module', sourceFile: 'mod_mime.c', kind: 'shared' as const, policy: 'implemented' as const },
      { name: 'sed_module', sourceFile: catalogue.modules.get('sed_module')!.sourceFile, kind: 'shared' as const, policy: 'warn-accept' as const },
      { name: 'hello_module', sourceFile: 'mod_hello.c', kind: 'shared' as const, policy: 'implemented' as const },
    ],
    moduleDefs: [ours, own],
  };
  t.equal(catalogue.modules.get('sed_module')!.sourceFile, 'mod_sed.c', "the manual's list of files gives the first");
  t.equal(catalogue.modules.get('heartbeat_module')!.sourceFile, 'mod_heartbeat.c', "a name without .c gets it");
  t.equal(
    showLoadedDirectives(result, tables, catalogue),
    'AddCharset (mod_mime.c)\n\ta charset\n\tAllowed in *.conf anywhere\nAddType (mod_mime.c)\n\tA\n' +
      'OutputSed (mod_sed.c)\n\tSed regular expression for Response\n\tB\n' +
      'Hello (mod_hello.c)\n\tgreeting\n\tAllowed in *.conf only outside <Directory>, <Files>, <Location>, or <If>\n',
  );
  const shipped = loadCommandTables();
  t.ok(shipped.modules['core.c']?.some((r) => r.name === 'AcceptFilter'), "the shipped tables hold core's directives this server does not implement");
});

t.test("contextOfAllowed: every stock row's \"Allowed in\" text is what allowedIn prints for the mask it gives", async (t) => {
  const tables = loadCommandTables();
  let rows = 0;
  for (const list of Object.values(tables.modules)) {
    for (const r of list) {
      rows++;
      const hasDirConfig = !r.allowed.includes('[no per-dir config]');
      if (allowedIn(contextOfAllowed(r.allowed), hasDirConfig) !== r.allowed) t.fail(`${r.name}: ${JSON.stringify(r.allowed)}`);
    }
  }
  t.ok(rows > 700, `${rows} rows checked`);
  t.equal(contextOfAllowed('\tAllowed in *.conf only outside <Directory>, <Files>, <Location>, or <If>\n'), RSRC_CONF);
  t.equal(contextOfAllowed('\tAllowed in *.conf only inside <Directory>, <Files>, <Location>, or <If> and in .htaccess\n\twhen AllowOverride includes AuthConfig or Limit\n'), ACCESS_CONF | OR_AUTHCFG | OR_LIMIT);
});

t.test("our directive tables agree with Apache's on each stock directive's arity", async (t) => {
  const registry = createDefaultRegistry();
  let compared = 0;
  for (const m of registry.modules.values()) {
    for (const d of m.directives ?? []) {
      const row = registry.stockCommand(m.sourceFile, d.name);
      if (row?.arity === undefined || d.name.startsWith('<')) continue;
      compared++;
      t.equal(d.arity, row.arity, `${d.name} (${m.sourceFile})`);
    }
  }
  t.ok(compared > 20, `${compared} directives compared`);
});

t.test('a stock command is found by source file and name in any case; arity is absent where the module reads its arguments itself', async (t) => {
  const registry = createDefaultRegistry();
  t.match(registry.stockCommand('mod_autoindex.c', 'addicon'), { name: 'AddIcon', arity: 'ITERATE2', help: 'an icon URL followed by one or more filenames' });
  t.match(registry.stockCommand('mod_expires.c', 'ExpiresActive'), { arity: 'FLAG' });
  t.equal(registry.stockCommand('mod_headers.c', 'Header')?.arity, undefined, 'Header is RAW_ARGS');
  t.equal(registry.stockCommand('mod_nothing.c', 'Header'), undefined);
});

t.test("our directive tables allow each stock directive where Apache's table does (top level, <Directory>)", async (t) => {
  const registry = createDefaultRegistry();
  const top = (RSRC_CONF | OR_ALL) & ~(OR_AUTHCFG | OR_LIMIT);
  const dir = ACCESS_CONF | OR_ALL;
  let compared = 0;
  for (const m of registry.modules.values()) {
    for (const d of m.directives ?? []) {
      const row = registry.stockCommand(m.sourceFile, d.name);
      if (row === undefined) continue;
      compared++;
      const apache = contextOfAllowed(row.allowed);
      t.same([(d.context & top) !== 0, (d.context & dir) !== 0], [(apache & top) !== 0, (apache & dir) !== 0], `${d.name} (${m.sourceFile})`);
    }
  }
  t.ok(compared > 80, `${compared} directives compared`);
});
