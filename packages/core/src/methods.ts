/**
 * Apache's standard methods. A module of its own, with no imports, so that the child program
 * can load it (as `@prefork/core/methods`) without loading the rest of core.
 */

/** httpd.h's M_GET … M_MERGE: a method's number is its index (HEAD has GET's number). */
export const STANDARD_METHODS: readonly string[] = [
  'GET', 'PUT', 'POST', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'PROPFIND', 'PROPPATCH',
  'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'VERSION-CONTROL', 'CHECKOUT', 'UNCHECKOUT', 'CHECKIN',
  'UPDATE', 'LABEL', 'REPORT', 'MKWORKSPACE', 'MKACTIVITY', 'BASELINE-CONTROL', 'MERGE',
];
