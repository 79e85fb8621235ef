/**
 * What `prefork -v`, `-V` and `-l` report: our version, the Apache release we follow, and the
 * compiled-in defaults (chosen to be Debian's, so that `prefork` with no -f reads the same
 * /etc/apache2/apache2.conf that Debian's apache2 reads).
 */
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ERRORLOG } from '@prefork/core';

/** The Apache httpd release whose behaviour prefork reproduces. */
export const APACHE_COMPATIBLE_VERSION = '2.4.71';

/** The product token, as `Server version:` and AH00163 start it. */
export const PRODUCT_NAME = 'prefork';

/** httpd's compiled-in paths, with Debian's values. */
export const COMPILED_DEFAULTS = {
  HTTPD_ROOT: '/etc/apache2',
  SERVER_CONFIG_FILE: 'apache2.conf',
  DEFAULT_PIDLOG: '/run/apache2.pid',
  DEFAULT_SCOREBOARD: 'logs/apache_runtime_status',
  DEFAULT_ERRORLOG,
  AP_TYPES_CONFIG_FILE: 'mime.types',
  /** The DocumentRoot when none is configured. */
  DOCUMENT_LOCATION: '/var/www/html',
  /** The runtime directory when DefaultRuntimeDir is not configured. */
  DEFAULT_REL_RUNTIMEDIR: '/var/run/apache2',
} as const;

/**
 * The modules that are always present, as `-l` lists them (by source file name). They are
 * Debian's static set, so that `LoadModule log_config_module …` fails as it does there.
 */
export const STATIC_MODULES = [
  'core.c',
  'mod_so.c',
  'mod_watchdog.c',
  'http_core.c',
  'mod_log_config.c',
  'mod_logio.c',
  'mod_version.c',
  'mod_unixd.c',
] as const;

/** Apache's module magic number of the release we follow; modules are ours, not C DSOs. */
export const MODULE_MAGIC_NUMBER = '20120211:142';

/** Facts about this installation of prefork. */
export interface BuildInfo {
  /** Our package version. */
  version: string;
  /** `prefork/<version> (Apache/2.4.71 compatible)` */
  description: string;
  /** When this build was made, as httpd prints it: YYYY-MM-DDTHH:MM:SS (UTC). */
  built: string;
}

function formatBuilt(date: Date): string {
  return date.toISOString().slice(0, 19);
}

/** Reads our version from package.json and the build time from this module's file. */
export function readBuildInfo(): BuildInfo {
  const pkgPath = fileURLToPath(new URL('../package.json', import.meta.url));
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { version?: unknown };
  const version = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  // The compiled file is written by the build, so its time is the build's time.
  const built = formatBuilt(statSync(fileURLToPath(import.meta.url)).mtime);
  return {
    version,
    description: `${PRODUCT_NAME}/${version} (Apache/${APACHE_COMPATIBLE_VERSION} compatible)`,
    built,
  };
}

/** `-v` */
export function versionText(info: BuildInfo): string {
  return `Server version: ${info.description}\nServer built:   ${info.built}\n`;
}

/** `-l` */
export function compiledModulesText(): string {
  return 'Compiled in modules:\n' + STATIC_MODULES.map((m) => `  ${m}\n`).join('');
}

/** `-V`: httpd's show_compile_settings, with what is true of this server. */
export function compileSettingsText(info: BuildInfo): string {
  const node = process.versions.node;
  const bits = ['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'].includes(process.arch)
    ? '64-bit'
    : '32-bit';
  const d = COMPILED_DEFAULTS;
  return [
    versionText(info).trimEnd(),
    `Server's Module Magic Number: ${MODULE_MAGIC_NUMBER}`,
    `Server loaded:  Node.js ${node}`,
    `Compiled using: Node.js ${node}`,
    `Architecture:   ${bits}`,
    'Server MPM:     prefork',
    '  threaded:     no',
    '    forked:     yes (variable process count)',
    'Server compiled with....',
    ' -D APR_HAVE_IPV6 (IPv4-mapped addresses enabled)',
    ' -D SINGLE_LISTEN_UNSERIALIZED_ACCEPT',
    ` -D HTTPD_ROOT="${d.HTTPD_ROOT}"`,
    ` -D DEFAULT_PIDLOG="${d.DEFAULT_PIDLOG}"`,
    ` -D DEFAULT_SCOREBOARD="${d.DEFAULT_SCOREBOARD}"`,
    ` -D DEFAULT_ERRORLOG="${d.DEFAULT_ERRORLOG}"`,
    ` -D AP_TYPES_CONFIG_FILE="${d.AP_TYPES_CONFIG_FILE}"`,
    ` -D SERVER_CONFIG_FILE="${d.SERVER_CONFIG_FILE}"`,
    '',
  ].join('\n');
}

/** httpd's usage(), for the program name `bin`. */
export function usageText(bin: string): string {
  const pad = ' '.repeat(bin.length);
  return [
    `Usage: ${bin} [-D name] [-d directory] [-f file]`,
    `        ${pad}[-C "directive"] [-c "directive"]`,
    `        ${pad}[-k start|restart|graceful|graceful-stop|stop]`,
    `        ${pad}[-v] [-V] [-h] [-l] [-L] [-t] [-T] [-S] [-X]`,
    'Options:',
    '  -D name            : define a name for use in <IfDefine name> directives',
    '  -d directory       : specify an alternate initial ServerRoot',
    '  -f file            : specify an alternate ServerConfigFile',
    '  -C "directive"     : process directive before reading config files',
    '  -c "directive"     : process directive after reading config files',
    '  -e level           : show startup errors of level (see LogLevel)',
    '  -E file            : log startup errors to file',
    '  -v                 : show version number',
    '  -V                 : show compile settings',
    '  -h                 : list available command line options (this page)',
    '  -l                 : list compiled in modules',
    '  -L                 : list available configuration directives',
    '  -t -D DUMP_VHOSTS  : show parsed vhost settings',
    '  -t -D DUMP_RUN_CFG : show parsed run settings',
    '  -S                 : a synonym for -t -D DUMP_VHOSTS -D DUMP_RUN_CFG',
    '  -t -D DUMP_MODULES : show all loaded modules ',
    '  -M                 : a synonym for -t -D DUMP_MODULES',
    '  -t -D DUMP_INCLUDES: show all included configuration files',
    '  -t                 : run syntax check for config files',
    '  -T                 : start without DocumentRoot(s) check',
    '  -X                 : debug mode (only one worker, do not detach)',
    '',
  ].join('\n');
}
