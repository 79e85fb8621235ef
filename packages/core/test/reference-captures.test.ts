// For each syn-*.conf and oor-*.conf whose capture from real Apache is an error (rc 1) or
// carries warnings, loadServerConfig must give exactly that text, with @ROOT@ substituted.
import t from 'tap';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultRegistry, loadServerConfig, type LoadResult } from '../src/index.js';
import { preforkModule } from '../../mpm-core/src/config/index.js';
import type { AnyModule } from '../src/index.js';

const REF = '/work/shared/apache-reference';
const root = mkdtempSync(join(tmpdir(), 'prefork-core-ref-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

if (!existsSync(`${REF}/conf`)) {
  t.pass('reference captures not present here; nothing to compare');
} else {
  mkdirSync(join(root, 'conf'));
  for (const d of ['htdocs', 'run', 'logs']) mkdirSync(join(root, d));
  cpSync(`${REF}/conf`, join(root, 'conf'), { recursive: true });
  for (const f of readdirSync(join(root, 'conf'))) {
    const p = join(root, 'conf', f);
    if (!f.endsWith('.conf') && !f.endsWith('.inc')) continue;
    writeFileSync(p, readFileSync(p, 'utf8').replaceAll('@ROOT@', root));
  }
  const registry = createDefaultRegistry([preforkModule as unknown as AnyModule]);

  const cases: { conf: string; capture: string }[] = [];
  for (const f of readdirSync(`${REF}/conf`).sort()) {
    const m = /^(syn|oor)-(.*)\.conf$/.exec(f);
    if (!m) continue;
    const capture = m[1] === 'syn' ? `${REF}/captures/2c/${m[2]}.t` : `${REF}/captures/2b/${m[2]}.t`;
    if (existsSync(`${capture}.stderr`)) cases.push({ conf: f, capture });
  }
  t.ok(cases.length > 40, `found ${cases.length} captured cases`);

  /** Our output as -t prints it to stderr at the default -e level (warn). */
  const render = (r: LoadResult): string[] => {
    const lines: string[] = [];
    for (const m of r.startupMessages) {
      if (!['emerg', 'alert', 'crit', 'error', 'warn'].includes(m.level)) continue;
      lines.push(m.startup ? `${m.id}: ${m.message}` : `[${m.module}:${m.level}] ${m.id ? m.id + ': ' : ''}${m.message}`);
    }
    if (r.errors.length > 0) lines.push(...r.errors[0].text.split('\n'));
    return lines;
  };

  for (const c of cases) {
    const rc = Number(readFileSync(`${c.capture}.rc`, 'utf8').trim());
    const stderr = readFileSync(`${c.capture}.stderr`, 'utf8').replaceAll('@ROOT@', root);
    const expected = stderr
      .split('\n')
      .filter((l) => l !== '' && l !== 'Syntax OK')
      // Timestamped lines: keep module, level, id and text.
      .map((l) => l.replace(/^\[[^\]]+\] (\[[^\]]+\]) \[pid [^\]]+\] /, '$1 '));
    // Our own PFxxxxx warnings are additions Apache does not print; they are tested elsewhere.
    t.test(c.conf, async (tt) => {
      const r = await loadServerConfig({ file: join(root, 'conf', c.conf), serverRoot: root, program: 'apache2', registry });
      const got = render(r).filter((l) => !/\bPF\d{5}: /.test(l));
      tt.same(got, expected, 'stderr lines');
      tt.equal(r.ok, rc === 0, `rc ${rc}`);
    });
  }
}
