import t from 'tap';
import { ACCESS_CONF, OR_ALL, OR_AUTHCFG, OR_FILEINFO, OR_INDEXES, OR_LIMIT, RSRC_CONF, allowedIn, showDirectives, type AnyModule } from '../src/index.js';

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
