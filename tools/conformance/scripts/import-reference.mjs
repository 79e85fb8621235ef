#!/usr/bin/env node
// Turns the reference configurations of /work/shared/apache-reference/conf (the ones the
// captures in captures/2b and 2c were taken with) into conformance cases. Run once per import;
// the cases it writes are plain data and are edited by hand afterwards like any other case.
//   node tools/conformance/scripts/import-reference.mjs [reference-dir]
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', '..', '..', 'test-fixtures', 'conformance');
const ref = process.argv[2] ?? '/work/shared/apache-reference';

/** The reference configs name fixed ports and Debian's module folder; cases use placeholders. */
function template(text) {
  return text
    .replaceAll('/usr/lib/apache2/modules', '@MODULES@')
    .replace(/(\b127\.0\.0\.1|\*):18080\b/g, '$1:@PORT@')
    .replace(/(\b127\.0\.0\.1|\*):18081\b/g, '$1:@PORT2@')
    .replace(/^(\s*Listen\s+)18081\b/gm, '$1@PORT2@')
    .replace(/^(\s*Listen\s+)18080\b/gm, '$1@PORT@');
}

function write(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function writeCase(area, name, spec, files) {
  const dir = join(fixtures, area, name);
  write(join(dir, 'case.json'), JSON.stringify(spec, null, 2) + '\n');
  for (const [rel, text] of Object.entries(files)) write(join(dir, 'root', rel), text);
}

// Shared layers.
write(join(fixtures, '_shared', 'base', 'conf', 'base-common.inc'), template(readFileSync(join(ref, 'conf', 'base-common.inc'), 'utf8')));
write(join(fixtures, '_shared', 'base', 'htdocs', 'index.html'), '<html><body>It works</body></html>\n');
for (const f of ['dump.conf', 'httpd.conf']) write(join(fixtures, '_shared', 'dump', 'conf', f), template(readFileSync(join(ref, 'conf', f), 'utf8')));
for (const f of readdirSync(join(ref, 'conf', 'sites'))) {
  write(join(fixtures, '_shared', 'dump', 'conf', 'sites', f), template(readFileSync(join(ref, 'conf', 'sites', f), 'utf8')));
}
write(join(fixtures, '_shared', 'dump', 'htdocs', 'sub', 'index.html'), '<html><body>b.example</body></html>\n');

/** The captured first line of a reference config says what it tests: keep it as the description. */
function describe(text, fallback) {
  const appended = text.split('\n').slice(5).filter(Boolean).join(' | ');
  return appended ? `${fallback}: ${appended}` : fallback;
}

for (const f of readdirSync(join(ref, 'conf')).sort()) {
  const m = /^(syn|oor)-(.+)\.conf$/.exec(f);
  if (!m) continue;
  const text = readFileSync(join(ref, 'conf', f), 'utf8');
  const area = m[1] === 'syn' ? 'config' : 'prefork-clamps';
  const files = { [`conf/${f}`]: template(text) };
  if (text.includes('unclosed-inc.conf')) files['conf/unclosed-inc.conf'] = template(readFileSync(join(ref, 'conf', 'unclosed-inc.conf'), 'utf8'));
  writeCase(area, m[2], {
    description: describe(text, `apache2 -t on ${f}`),
    layers: ['_shared/base'],
    steps: [{ run: ['-t', '-f', `@ROOT@/conf/${f}`] }],
  }, files);
}
console.log(`cases written under ${fixtures}`);
