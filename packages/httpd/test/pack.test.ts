/**
 * Every publishable package packs (`npm pack`) and installs alone from its tarball into an
 * empty directory, its @prefork dependencies given as tarballs too (the others come from the
 * npm cache or registry); then a script there imports the entry and uses a real export.
 * Install scripts are off: they would compile the scoreboard and acceptor addons once per
 * directory. The addon each install script would build is copied in from this workspace's own
 * build (which `npm ci` made the same way); scoreboard's pack test runs the real install script.
 * Also: `nx release version --dry-run` versions the packages independently, offline.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers.js';

// npm is slow to start on a busy machine: packing and seven installs get a longer limit.
t.setTimeout(900_000);

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
}

const packagesDir = join(REPO_ROOT, 'packages');
const manifests = new Map<string, { dir: string; manifest: Manifest }>();
for (const d of readdirSync(packagesDir)) {
  const file = join(packagesDir, d, 'package.json');
  if (!existsSync(file)) continue;
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  if (!manifest.private) manifests.set(manifest.name, { dir: join('packages', d), manifest });
}

/** The @prefork packages a package needs, itself included, dependencies first. */
function closure(name: string, seen = new Set<string>()): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const deps = Object.keys(manifests.get(name)?.manifest.dependencies ?? {}).filter((d) => manifests.has(d));
  return [...deps.flatMap((d) => closure(d, seen)), name];
}

/** What each installed package must do, as an ES module run in the install directory. */
const CHECKS: Record<string, string> = {
  '@prefork/config-parser': `
    import { readConfig } from '@prefork/config-parser';
    import { writeFileSync } from 'node:fs';
    const host = { isModuleLoaded: () => false, directiveExists: () => true, sectionExists: () => true, version: { major: 2, minor: 4, patch: 71 } };
    writeFileSync('t.conf', 'Listen 80\\n<IfDefine X>\\nServerName a\\n</IfDefine>\\n<Directory "/srv">\\n  Options None\\n</Directory>\\n</Oops>\\n');
    const r = readConfig({ file: process.cwd() + '/t.conf', serverRoot: process.cwd(), host, defines: ['X'], stopAtFirstError: false });
    const names = r.tree.map((n) => n.name).join(',');
    if (names !== 'Listen,ServerName,Directory') throw new Error('tree: ' + names);
    if (r.errors.length !== 1 || r.errors[0].loc.line !== 8) throw new Error('errors: ' + JSON.stringify(r.errors));
    console.log('ok');`,
  '@prefork/core': `
    import { createDefaultRegistry, splitWords, formatLogLine } from '@prefork/core';
    const reg = createDefaultRegistry();
    if (!reg.modules.has('core')) throw new Error('no core module');
    if (JSON.stringify(splitWords('a "b c" d')) !== '["a","b c","d"]') throw new Error('splitWords');
    if (!/\\[core:warn\\] \\[pid 1:tid 1\\] AH00001: x$/.test(formatLogLine({ level: 'warn', module: 'core', id: 'AH00001', message: 'x', pid: 1 }))) throw new Error('formatLogLine');
    console.log('ok');`,
  '@prefork/scoreboard': `
    import { Scoreboard, ServerStatus, shmNameFor } from '@prefork/scoreboard';
    const location = { kind: 'shm', name: shmNameFor('pack-test|' + process.pid) };
    const sb = Scoreboard.create({ location, serverLimit: 2 });
    sb.updateChildStatus(1, 0, ServerStatus.SERVER_READY);
    const status = sb.snapshot().status[1];
    sb.destroy();
    if (status !== ServerStatus.SERVER_READY) throw new Error('status ' + status);
    console.log('ok');`,
  '@prefork/modules': `
    import { buildMimeConfig } from '@prefork/modules';
    const c = buildMimeConfig([]);
    if (!(c.extensions instanceof Map)) throw new Error('buildMimeConfig');
    console.log('ok');`,
  '@prefork/mpm-core': `
    import { needsAcceptMutex, initialSpawnState, runMaster } from '@prefork/mpm-core';
    if (typeof runMaster !== 'function') throw new Error('runMaster');
    if (needsAcceptMutex(2, 'fcntl') !== true || needsAcceptMutex(1, 'fcntl') !== false) throw new Error('needsAcceptMutex');
    if (initialSpawnState().idleSpawnRate !== 1) throw new Error('initialSpawnState');
    console.log('ok');`,
  '@prefork/conn-handler': `
    import { parseUri } from '@prefork/conn-handler';
    import { existsSync } from 'node:fs';
    const u = parseUri('http://example.com:8080/a?b', 'GET');
    if (u?.hostname !== 'example.com' || u.path !== '/a' || u.query !== 'b') throw new Error('parseUri ' + JSON.stringify(u));
    // The acceptor addon is compiled at install (node-gyp-build); here its sources must be there.
    for (const f of ['binding.gyp', 'package.json']) if (!existsSync('node_modules/@prefork/conn-handler/' + f)) throw new Error('missing ' + f);
    console.log('ok');`,
  '@prefork/httpd': `
    import { execFileSync } from 'node:child_process';
    import { writeFileSync } from 'node:fs';
    const bin = process.cwd() + '/node_modules/.bin/prefork';
    const v = execFileSync(bin, ['-v'], { encoding: 'utf8' });
    if (!/^Server version: prefork\\//.test(v)) throw new Error('-v: ' + v);
    writeFileSync('h.conf', 'LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so\\nServerName localhost\\nServerRoot ' + process.cwd() + '\\nListen 127.0.0.1:18080\\nDocumentRoot ' + process.cwd() + '\\nErrorLog ' + process.cwd() + '/error_log\\n');
    const r = execFileSync(bin, ['-t', '-f', process.cwd() + '/h.conf'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    console.log('ok');`,
};

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline'];
const NO_SCRIPTS = ['--ignore-scripts'];

t.test('every publishable package packs and installs alone from its tarball', async (t) => {
  t.same([...manifests.keys()].sort(), Object.keys(CHECKS).sort(), 'each publishable package has a check here');
  const work = mkdtempSync(join(tmpdir(), 'pf-pack-all-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  // One npm run packs them all (npm's start-up is the slow part).
  const workspaceArgs = [...manifests.values()].flatMap((m) => ['-w', m.dir]);
  const packed = await run('npm', ['pack', '--pack-destination', tarballs, '--json', ...workspaceArgs, ...NPM_QUIET], REPO_ROOT);
  t.equal(packed.code, 0, `npm pack: ${packed.stderr}`);
  const tarballOf = new Map<string, string>();
  for (const p of JSON.parse(packed.stdout) as { name: string; filename: string; files: { path: string }[] }[]) {
    tarballOf.set(p.name, join(tarballs, p.filename));
    t.ok(p.files.some((f) => f.path === 'dist/index.js'), `${p.name}: the tarball has dist/index.js`);
    t.notOk(p.files.some((f) => f.path.startsWith('test/')), `${p.name}: no tests in the tarball`);
  }
  // The installs run side by side: each is mostly npm waiting on its cache.
  await Promise.all([...manifests.keys()].map(async (name) => {
    const dir = join(work, name.replace('@prefork/', ''));
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'pf-pack-check', version: '1.0.0', private: true, type: 'module' }));
    const wanted = closure(name).map((n) => tarballOf.get(n)).filter((f): f is string => f !== undefined);
    const install = await run('npm', ['install', ...wanted, ...NPM_QUIET, ...NO_SCRIPTS], dir);
    if (install.code !== 0) {
      t.fail(`${name}: npm install from its tarball: ${install.stderr}`);
      return;
    }
    const linked = readdirSync(join(dir, 'node_modules', '@prefork')).sort();
    for (const short of linked) {
      // What the skipped install script would have built (node-gyp-build finds build/Release).
      const built = join(REPO_ROOT, 'packages', short, 'build', 'Release');
      const gyp = join(dir, 'node_modules', '@prefork', short, 'binding.gyp');
      if (!existsSync(gyp)) continue;
      if (!existsSync(built)) {
        t.fail(`${name}: packages/${short}/build/Release is missing: the workspace's addon was not built`);
        return;
      }
      for (const f of readdirSync(built).filter((f) => f.endsWith('.node'))) {
        cpSync(join(built, f), join(dir, 'node_modules', '@prefork', short, 'build', 'Release', f));
      }
    }
    t.same(linked, closure(name).map((n) => n.replace('@prefork/', '')).sort(), `${name}: installed with exactly its @prefork dependencies`);
    writeFileSync(join(dir, 'check.mjs'), CHECKS[name]!);
    const check = await run(process.execPath, ['check.mjs'], dir);
    t.equal(check.stdout.trim(), 'ok', `${name}: its entry imports and works (${check.stderr.trim().split('\n').slice(-3).join(' | ')})`);
  }));
});

t.test('nx release version --dry-run versions the packages independently, offline', async (t) => {
  const watched = [join(REPO_ROOT, 'package-lock.json'), ...[...manifests.values()].map((m) => join(REPO_ROOT, m.dir, 'package.json'))];
  const before = watched.map((f) => readFileSync(f, 'utf8'));
  const r = await run('npx', ['nx', 'release', 'version', '0.1.1', '--dry-run', '--verbose'], REPO_ROOT);
  t.equal(r.code, 0, `nx release version --dry-run: ${r.stderr.slice(-2000)}`);
  // Nx colours its output under CI=true even into a pipe.
  // eslint-disable-next-line no-control-regex
  const out = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
  for (const { dir } of manifests.values()) {
    t.ok(out.includes(`UPDATE ${dir}/package.json [dry-run]`), `${dir} is versioned on its own`);
  }
  t.match(out, /NOTE: The "dryRun" flag means no changes were made/, 'nothing is written');
  t.same(watched.map((f) => readFileSync(f, 'utf8')), before, 'no package.json nor the lock file changed');
});
