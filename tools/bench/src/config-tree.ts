import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ConfigTreeOptions {
  /** Where to lay the tree down; it becomes the ServerRoot. */
  root: string;
  /** How many Include files (conf.d/NNN.conf). */
  files: number;
  /** Directives per Include file (sections count their contents too). */
  directivesPerFile: number;
  /** Port for the Listen line; -t never binds it. */
  port: number;
  /** Where Debian keeps the module files both servers load. */
  modulesDir?: string;
}

export interface ConfigTree {
  mainFile: string;
  /** Every directive line written, sections' own lines included. */
  directives: number;
  includeFiles: number;
}

/**
 * Writes a large but valid configuration: a main file that loads the modules every stock
 * httpd.conf loads and includes `files` files of `<Directory>` sections, Define/${VAR}
 * uses, mime and dir directives. Both apache2 and prefork must accept it with `-t`.
 */
export function writeConfigTree(opts: ConfigTreeOptions): ConfigTree {
  const modules = opts.modulesDir ?? '/usr/lib/apache2/modules';
  const confd = join(opts.root, 'conf.d');
  const logs = join(opts.root, 'logs');
  const docroot = join(opts.root, 'htdocs');
  mkdirSync(confd, { recursive: true });
  mkdirSync(logs, { recursive: true });
  mkdirSync(docroot, { recursive: true });
  const main = [
    `ServerRoot "${opts.root}"`,
    `LoadModule mpm_prefork_module ${modules}/mod_mpm_prefork.so`,
    `LoadModule authz_core_module ${modules}/mod_authz_core.so`,
    `LoadModule authz_host_module ${modules}/mod_authz_host.so`,
    `LoadModule mime_module ${modules}/mod_mime.so`,
    `LoadModule dir_module ${modules}/mod_dir.so`,
    `Listen 127.0.0.1:${opts.port}`,
    `ServerName localhost`,
    `ErrorLog logs/error_log`,
    `PidFile logs/httpd.pid`,
    `DocumentRoot "${docroot}"`,
    `Define BENCH_ROOT "${opts.root}"`,
    `Include conf.d/*.conf`,
  ];
  let directives = main.length;
  for (let f = 0; f < opts.files; f++) {
    const lines: string[] = [`# generated include ${f}`];
    let n = 0;
    let i = 0;
    while (n < opts.directivesPerFile) {
      const id = `${f}-${i++}`;
      // A <Directory> section of five lines, then two plain directives: seven directives.
      lines.push(
        `<Directory "\${BENCH_ROOT}/htdocs/d${id}">`,
        '    Options None',
        '    AllowOverride None',
        '    Require all granted',
        `    DirectoryIndex index.html index-${id}.html`,
        '</Directory>',
        `AddType application/x-bench-${id} .b${id.replace('-', 'x')}`,
      );
      n += 7;
    }
    directives += n;
    writeFileSync(join(confd, `${String(f).padStart(4, '0')}.conf`), lines.join('\n') + '\n');
  }
  const mainFile = join(opts.root, 'httpd.conf');
  writeFileSync(mainFile, main.join('\n') + '\n');
  return { mainFile, directives, includeFiles: opts.files };
}
