/** The modules this package implements, and which of them are always loaded. */
import type { AnyModule } from '../module.js';
import { authzCoreModule, authzHostModule } from './access.js';
import { accessCompatModule } from './access-compat.js';
import { autoindexModule } from './autoindex.js';
import { deflateModule, filterModule } from './deflate.js';
import { httpModule, logConfigModule, logioModule, macroModule, soModule, unixdModule, versionModule, watchdogModule } from './base.js';
import { aliasModule, dirModule, mimeModule, statusModule } from './content.js';
import { coreModule } from './core.js';
import { envModule } from './env.js';
import { expiresModule } from './expires.js';
import { reqtimeoutModule } from './reqtimeout.js';
import { headersModule } from './headers.js';
import { setenvifModule } from './setenvif.js';

export * from './access.js';
export * from './access-compat.js';
export * from './autoindex.js';
export * from './deflate.js';
export * from './base.js';
export * from './content.js';
export * from './core.js';
export * from './env.js';
export * from './expires.js';
export * from './reqtimeout.js';
export * from './headers.js';
export * from './setenvif.js';

/** Compiled into Debian's apache2 (`apache2 -l`): loaded without LoadModule, in `-M`'s order. */
export const PRELOADED_MODULES: readonly string[] = [
  'core', 'so_module', 'watchdog_module', 'http_module', 'log_config_module', 'logio_module',
  'version_module', 'unixd_module',
];

/** Every module of this package (mpm_prefork lives in @prefork/mpm-core). */
export const CORE_MODULES: readonly AnyModule[] = [
  coreModule, soModule, watchdogModule, httpModule, logConfigModule, logioModule, versionModule, unixdModule,
  authzCoreModule, authzHostModule, mimeModule, dirModule, statusModule, aliasModule, macroModule, setenvifModule, headersModule, envModule, expiresModule, reqtimeoutModule, accessCompatModule, autoindexModule, filterModule, deflateModule,
];
