export { loadMimeTypes, parseMimeTypes, configWords, MimeTypesError } from './types.js';
export type { MimeTypes } from './types.js';
export { buildMimeConfig, mergeMimeSection, EMPTY_MIME_CONFIG, MimeDirectiveError } from './config.js';
export type { ExtensionInfo, MimeDirConfig, MimeDirective, MultiviewsMatch } from './config.js';
export { typeOf, DIR_MAGIC_TYPE } from './lookup.js';
export type { MimeLookupOptions, MimeResult } from './lookup.js';
