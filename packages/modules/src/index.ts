/**
 * Pure building blocks of Apache httpd's modules, one folder per module as
 * httpd names them: log_config, mime, status, authz_core, authz_host.
 * @packageDocumentation
 */
export * from './log_config/index.js';
export * from './mime/index.js';
export * from './status/index.js';
export * from './authz_host/index.js';
export * from './authz_core/index.js';
