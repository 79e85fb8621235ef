import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');

// Packing, installing from the registry and compiling the addon takes minutes on a
// busy machine: this file alone gets a longer limit than the package's default.
t.setTimeout(900_000);

/** The first ```js block of a README. */
function readmeExample(readme: string): string {
  const m = /```js\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README has no ```js example');
  return m[1]!;
}

t.test('npm pack installs in an empty directory, builds, and runs the README example', (tt) => {
  if (!existsSync(join(pkgDir, 'dist', 'index.js'))) {
    tt.fail('packages/scoreboard/dist is missing: run `npx tsc -b packages/scoreboard` first');
    tt.end();
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'pf-pack-'));
  tt.teardown(() => rmSync(work, { recursive: true, force: true }));
  const npm = (args: string[], cwd: string) =>
    execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  npm(['pack', '--pack-destination', work], pkgDir);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  tt.ok(tarball, 'npm pack made a tarball');
  const listing = execFileSync('tar', ['-tzf', join(work, tarball!)], { encoding: 'utf8' }).split('\n');
  for (const f of ['package/binding.gyp', 'package/src/scoreboard.cc', 'package/include/apr-compat/pf_scoreboard.h',
    'package/include/apr-compat/LICENSE-NOTICE', 'package/dist/index.js', 'package/README.md']) {
    tt.ok(listing.includes(f), `tarball has ${f}`);
  }
  tt.notOk(listing.some((f) => f.startsWith('package/build/')), 'no local build directory in the tarball');
  tt.notOk(listing.some((f) => f.startsWith('package/test/')), 'no tests in the tarball');

  const app = join(work, 'app');
  execFileSync('mkdir', [app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pf-pack-app', version: '1.0.0', private: true, type: 'module' }));
  npm(['install', join(work, tarball!)], app);
  const installed = join(app, 'node_modules', '@prefork', 'scoreboard');
  const hasBinary = existsSync(join(installed, 'build', 'Release', 'scoreboard.node')) || existsSync(join(installed, 'prebuilds', `linux-${process.arch}`));
  tt.ok(hasBinary, 'install produced (or shipped) the native addon');

  writeFileSync(join(app, 'example.mjs'), readmeExample(readFileSync(join(installed, 'README.md'), 'utf8')));
  // A runner that forces colours (FORCE_COLOR) would colour console.log's numbers.
  const { FORCE_COLOR: _fc, ...env } = process.env;
  const out = execFileSync(process.execPath, ['example.mjs'], { cwd: app, encoding: 'utf8', env: { ...env, NO_COLOR: '1' } });
  tt.equal(out.trim(), 'W... idle: 0 requests: 1n', 'the README example prints what its comment says');
  tt.end();
});
