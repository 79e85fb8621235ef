/**
 * The numeric vocabulary of Apache's module API (include/http_config.h), kept with the same
 * values so a reader of the C sources recognises every flag.
 */

/** Where a directive may appear (`req_override` in command_rec). */
export const OR_NONE = 0;
export const OR_LIMIT = 1;
export const OR_OPTIONS = 2;
export const OR_FILEINFO = 4;
export const OR_AUTHCFG = 8;
export const OR_INDEXES = 16;
export const OR_UNSET = 32;
export const ACCESS_CONF = 64;
export const RSRC_CONF = 128;
export const EXEC_ON_READ = 256;
export const OR_ALL = OR_LIMIT | OR_OPTIONS | OR_FILEINFO | OR_AUTHCFG | OR_INDEXES;

/** ap_check_cmd_context's `forbidden` bits. */
export const NOT_IN_VIRTUALHOST = 0x01;
export const NOT_IN_LIMIT = 0x02;
export const NOT_IN_DIRECTORY = 0x04;
export const NOT_IN_LOCATION = 0x08;
export const NOT_IN_FILES = 0x10;
export const NOT_IN_HTACCESS = 0x20;
export const NOT_IN_PROXY = 0x40;
export const NOT_IN_DIR_LOC_FILE = NOT_IN_DIRECTORY | NOT_IN_LOCATION | NOT_IN_FILES;
export const NOT_IN_DIR_CONTEXT = NOT_IN_LIMIT | NOT_IN_DIR_LOC_FILE | NOT_IN_PROXY;
export const GLOBAL_ONLY = NOT_IN_VIRTUALHOST | NOT_IN_DIR_CONTEXT;

/** How a directive's arguments are split before its setter sees them (cmd_how). */
export type Arity =
  | 'RAW_ARGS'
  | 'TAKE_ARGV'
  | 'NO_ARGS'
  | 'TAKE1'
  | 'TAKE2'
  | 'TAKE12'
  | 'TAKE3'
  | 'TAKE23'
  | 'TAKE123'
  | 'TAKE13'
  | 'ITERATE'
  | 'ITERATE2'
  | 'FLAG';

/** Hook ordering (APR_HOOK_*). */
export const HOOK_REALLY_FIRST = -10;
export const HOOK_FIRST = 0;
export const HOOK_MIDDLE = 10;
export const HOOK_LAST = 20;
export const HOOK_REALLY_LAST = 30;

/** The version this server reports to `<IfVersion>` and in its banner. */
export const SERVER_VERSION = { major: 2, minor: 4, patch: 71 } as const;

/** The main server's error log when ErrorLog is not configured (ServerRoot-relative). */
export const DEFAULT_ERRORLOG = 'logs/error_log';
