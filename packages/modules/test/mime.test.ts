import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildMimeConfig,
  configWords,
  DIR_MAGIC_TYPE,
  loadMimeTypes,
  mergeMimeSection,
  MimeDirectiveError,
  MimeTypesError,
  parseMimeTypes,
  typeOf,
  type MimeDirective,
} from '../src/index.js';

const fixturePath = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const types = loadMimeTypes(fixturePath('mime.types'));

/**
 * The mod_mime directives of the capture config, split into the sections
 * httpd merges for a file: server config, <Directory …/sub>, <Files forced.txt>.
 */
function captureSections(): { server: MimeDirective[]; sub: MimeDirective[]; forced: MimeDirective[] } {
  const server: MimeDirective[] = [];
  const sub: MimeDirective[] = [];
  const forced: MimeDirective[] = [];
  let current = server;
  for (const line of readFileSync(fixturePath('apache-capture.conf'), 'utf8').split('\n')) {
    const [name, ...args] = configWords(line);
    if (name === undefined) continue;
    if (name === '<Directory') current = sub;
    else if (name === '<Files') current = forced;
    else if (name.startsWith('</')) current = server;
    else if (/^(Add|Remove)(Type|Charset|Encoding|Language)$|^ForceType$/.test(name)) current.push({ name, args });
  }
  return { server, sub, forced };
}

t.test('content types real Apache sent for the capture files', async (t) => {
  const { server, sub, forced } = captureSections();
  t.equal(server.length, 11);
  const results = readFileSync(fixturePath('apache-mime-results.txt'), 'utf8').trimEnd().split('\n');
  t.equal(results.length, 22);
  for (const row of results) {
    const [file, headers = ''] = row.split('\t');
    const sections = [server];
    if (file.startsWith('sub/')) sections.push(sub);
    if (file === 'forced.txt') sections.push(forced);
    const r = typeOf(`/srv/htdocs/${file}`, buildMimeConfig(sections), types);
    const expected = Object.fromEntries(
      headers.split(';').filter((h) => h.includes(': ')).map((h) => h.split(': ') as [string, string]),
    );
    // "text/plain; charset=utf-8" was split on ';' above; rejoin the charset.
    const charset = /; charset=([^;]+);/.exec(headers)?.[1];
    const ct = expected['Content-Type'] ? expected['Content-Type'] + (charset ? `; charset=${charset}` : '') : undefined;
    t.equal(r.contentType, ct, `${file} type`);
    t.equal(r.encoding, expected['Content-Encoding'], `${file} encoding`);
    t.same(r.languages, expected['Content-Language'] ? [expected['Content-Language']] : [], `${file} language`);
  }
});

t.test('TypesConfig parsing', async (t) => {
  const parsed = parseMimeTypes('# comment\ntext/html html htm\n  \napplication/x-thing THING\ntext/x-later html\nno/extensions\n');
  t.equal(parsed.byExtension.get('htm'), 'text/html');
  t.equal(parsed.byExtension.get('html'), 'text/x-later', 'a later line wins');
  t.equal(parsed.byExtension.get('thing'), 'application/x-thing', 'extensions are lower-cased');
  t.equal(parsed.byExtension.size, 3);
  t.equal(types.byExtension.get('html'), 'text/html');
  t.equal(types.byExtension.get('png'), 'image/png');
  t.throws(() => loadMimeTypes('/nonexistent/mime.types'), {
    code: 'AH01597',
    message: 'AH01597: could not open mime types config file /nonexistent/mime.types.',
  });
  t.type(new MimeTypesError('f', null), Error);
});

t.test('extension rules of find_ct', async (t) => {
  const config = buildMimeConfig([[
    { name: 'AddEncoding', args: ['x-gzip', '.gz'] },
    { name: 'AddEncoding', args: ['x-compress', 'Z'] },
    { name: 'AddLanguage', args: ['en', '.en'] },
    { name: 'AddLanguage', args: ['de', '.de'] },
    { name: 'AddCharset', args: ['ISO-8859-1', '.latin1'] },
    { name: 'AddHandler', args: ['cgi-script', '.cgi'] },
  ]]);
  t.equal(typeOf('/x/.png', config, types).contentType, undefined, 'leading dots belong to the base name');
  t.equal(typeOf('/x/..png.html', config, types).contentType, 'text/html');
  t.equal(typeOf('/x/bad..html', config, types).contentType, 'text/html', 'empty extensions are skipped');
  t.equal(typeOf('/x/INDEX.HTML', config, types).contentType, 'text/html');
  t.equal(typeOf('/x/a.html.gz.Z', config, types).encoding, 'x-gzip, x-compress');
  t.same(typeOf('/x/a.en.de.html', config, types).languages, ['en', 'de']);
  t.equal(typeOf('/x/a.html.latin1', config, types).contentType, 'text/html; charset=iso-8859-1', 'AddCharset values are lower-cased');
  t.equal(typeOf('/x/run.cgi', config, types).handler, 'cgi-script');
  t.same(typeOf('/x/index.html.fr', config, types).exceptions, ['index', 'fr']);
  t.equal(typeOf('/x/noext', config, types).exceptions, undefined);
  t.equal(typeOf('/x/dir', config, types, { isDirectory: true }).contentType, DIR_MAGIC_TYPE);
});

t.test('section merging: RemoveType, Remove*, ForceType none, DefaultLanguage', async (t) => {
  const server = buildMimeConfig([[
    { name: 'AddType', args: ['text/x-custom', '.html'] },
    { name: 'AddLanguage', args: ['en', '.en'] },
    { name: 'AddHandler', args: ['cgi-script', '.cgi'] },
    { name: 'DefaultLanguage', args: ['fr'] },
  ]]);
  t.equal(typeOf('/a.html', server, types).contentType, 'text/x-custom', 'AddType wins over TypesConfig');
  t.same(typeOf('/a.html', server, types).languages, ['fr']);
  const removed = mergeMimeSection(server, [
    { name: 'RemoveType', args: ['.html'] },
    { name: 'RemoveLanguage', args: ['.en'] },
    { name: 'RemoveHandler', args: ['.cgi'] },
  ]);
  t.equal(typeOf('/a.html', removed, types).contentType, undefined, 'RemoveType hides the TypesConfig type too');
  t.same(typeOf('/a.en', removed, types).languages, ['fr']);
  t.equal(typeOf('/a.cgi', removed, types).handler, undefined);
  const readded = mergeMimeSection(removed, [{ name: 'AddType', args: ['text/plain', '.html'] }]);
  t.equal(typeOf('/a.html', readded, types).contentType, 'text/plain');
  const forcedConfig = mergeMimeSection(server, [{ name: 'ForceType', args: ['Image/GIF'] }, { name: 'SetHandler', args: ['server-status'] }]);
  t.equal(typeOf('/a.html', forcedConfig, types).contentType, 'image/gif');
  t.equal(typeOf('/a.html', forcedConfig, types).handler, 'server-status');
  const unforced = mergeMimeSection(forcedConfig, [{ name: 'ForceType', args: ['none'] }, { name: 'SetHandler', args: ['None'] }]);
  t.equal(typeOf('/a.html', unforced, types).contentType, 'text/x-custom');
  t.equal(typeOf('/a.html', unforced, types).handler, undefined);
});

t.test('MultiviewsMatch and ModMimeUsePathInfo', async (t) => {
  const any = buildMimeConfig([[{ name: 'MultiviewsMatch', args: ['Any'] }]]);
  t.same(typeOf('/a.zzz.html', any, types).exceptions, ['a']);
  const none = buildMimeConfig([[]]);
  t.same(typeOf('/a.zzz.html', none, types).exceptions, ['a', 'zzz']);
  const handlers = buildMimeConfig([[{ name: 'AddHandler', args: ['h', '.h1'] }, { name: 'MultiviewsMatch', args: ['Handlers'] }]]);
  t.same(typeOf('/a.h1', handlers, types).exceptions, ['a']);
  t.throws(() => buildMimeConfig([[{ name: 'MultiviewsMatch', args: ['Bogus'] }]]), MimeDirectiveError);
  t.throws(() => buildMimeConfig([[{ name: 'MultiviewsMatch', args: ['Any', 'Handlers'] }]]),
    { message: 'MultiviewsMatch Any cannot be combined with other options' });
  const pathInfo = buildMimeConfig([[{ name: 'ModMimeUsePathInfo', args: ['On'] }]]);
  t.equal(typeOf('/cgi/script', pathInfo, types, { pathInfo: '/x.html' }).contentType, 'text/html');
  t.equal(typeOf('/cgi/script', none, types, { pathInfo: '/x.html' }).contentType, undefined);
});

t.test('bad directives', async (t) => {
  t.throws(() => buildMimeConfig([[{ name: 'AddType', args: ['text/plain'] }]]), {
    message: 'AddType requires at least two arguments',
  });
  t.throws(() => buildMimeConfig([[{ name: 'Listen', args: ['80'] }]]), { code: 'PF_MIME_DIRECTIVE' });
});
