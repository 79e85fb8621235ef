/** mpm_prefork's configuration: directive table, clamps, settings. */
export * from './settings.js';
export * from './clamps.js';
export * from './listen.js';
export * from './directives.js';
