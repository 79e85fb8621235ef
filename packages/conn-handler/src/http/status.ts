/** Reason phrases as Apache 2.4 sends them (http_protocol.c status_lines). */
export const REASON: Readonly<Record<number, string>> = {
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information',
  204: 'No Content', 205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status',
  208: 'Already Reported', 226: 'IM Used',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other',
  304: 'Not Modified', 305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  407: 'Proxy Authentication Required', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone',
  411: 'Length Required', 412: 'Precondition Failed', 413: 'Request Entity Too Large',
  414: 'Request-URI Too Long', 415: 'Unsupported Media Type',
  416: 'Requested Range Not Satisfiable', 417: 'Expectation Failed', 421: 'Misdirected Request',
  422: 'Unprocessable Entity', 423: 'Locked', 424: 'Failed Dependency', 425: 'Too Early',
  426: 'Upgrade Required', 428: 'Precondition Required', 429: 'Too Many Requests',
  431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout', 505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates', 507: 'Insufficient Storage', 508: 'Loop Detected',
  510: 'Not Extended', 511: 'Network Authentication Required',
};

/** The status line text, e.g. `404 Not Found`; unknown codes fall back as Apache does to 500. */
export function statusLine(status: number): string {
  const reason = REASON[status];
  return reason === undefined ? '500 Internal Server Error' : `${status} ${reason}`;
}

/** Statuses after which Apache always closes (ap_status_drops_connection). */
export function statusDropsConnection(status: number): boolean {
  return [400, 408, 411, 413, 414, 417, 500, 503, 501].includes(status);
}

/** Statuses that never carry a body (AP_STATUS_IS_HEADER_ONLY). */
export function statusIsHeaderOnly(status: number): boolean {
  return status === 204 || status === 304;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

/** What get_canned_error_string needs from the request. */
export interface ErrorPageContext {
  method: string;
  location?: string;
  errorNotes?: string;
  expect?: string;
  /** The ServerSignature block (`<hr>\n<address>…</address>\n`) or ''. */
  signature: string;
  /** ServerAdmin of the request's server (the 500 page names it); absent: `[no address given]`. */
  admin?: string;
  /** The status of an ErrorDocument that could not be used (the "Additionally, …" paragraph). */
  recursiveError?: number;
}

function withNotes(head: string, ctx: ErrorPageContext, tail: string): string {
  return head + (ctx.errorNotes ?? '') + tail;
}

function cannedText(status: number, ctx: ErrorPageContext): string {
  const m = escapeHtml(ctx.method);
  switch (status) {
    case 301: case 302: case 307: case 308:
      return `<p>The document has moved <a href="${escapeHtml(ctx.location ?? '')}">here</a>.</p>\n`;
    case 303:
      return `<p>The answer to your request is located <a href="${escapeHtml(ctx.location ?? '')}">here</a>.</p>\n`;
    case 400:
      return withNotes('<p>Your browser sent a request that this server could not understand.<br />\n', ctx, '</p>\n');
    case 401: case 407:
      return '<p>This server could not verify that you\nare authorized to access the document\nrequested.  Either you supplied the wrong\ncredentials (e.g., bad password), or your\nbrowser doesn\'t understand how to supply\nthe credentials required.</p>\n';
    case 403:
      return withNotes("<p>You don't have permission to access this resource.", ctx, '</p>\n');
    case 404:
      return '<p>The requested URL was not found on this server.</p>\n';
    case 405:
      return `<p>The requested method ${m} is not allowed for this URL.</p>\n`;
    case 408:
      return '<p>Server timeout waiting for the HTTP request from the client.</p>\n';
    case 410:
      return '<p>The requested resource is no longer available on this server and there is no forwarding address.\nPlease remove all references to this resource.</p>\n';
    case 411:
      return withNotes(`<p>A request of the requested method ${m} requires a valid Content-length.<br />\n`, ctx, '</p>\n');
    case 412:
      return '<p>The precondition on the request for this URL evaluated to false.</p>\n';
    case 413:
      return `The requested resource does not allow request data with ${m} requests, or the amount of data provided in\nthe request exceeds the capacity limit.\n`;
    case 414:
      return withNotes("<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n", ctx, '</p>\n');
    case 415:
      return '<p>The supplied request data is not in a format\nacceptable for processing by this resource.</p>\n';
    case 416:
      return '<p>None of the range-specifier values in the Range\nrequest-header field overlap the current extent\nof the selected resource.</p>\n';
    case 417: {
      const head = ctx.expect !== undefined
        ? `<p>The expectation given in the Expect request-header\nfield could not be met by this server.\nThe client sent<pre>\n    Expect: ${escapeHtml(ctx.expect)}\n</pre>\n`
        : '<p>No expectation was seen, the Expect request-header \nfield was not presented by the client.\n';
      return withNotes(head, ctx, '</p><p>Only the 100-continue expectation is supported.</p>\n');
    }
    case 501:
      return withNotes(`<p>${m} not supported for current URL.<br />\n`, ctx, '</p>\n');
    case 503:
      return '<p>The server is temporarily unable to service your\nrequest due to maintenance downtime or capacity\nproblems. Please try again later.</p>\n';
    default:
      return '<p>The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n<p>Please contact the server administrator at \n '
        + escapeHtml(ctx.admin ?? '[no address given]')
        + ' to inform them of the time this error occurred,\n and the actions you performed just before this error.</p>\n<p>More information about this error may be available\nin the server error log.</p>\n';
  }
}

/** Apache's built-in error document (ap_send_error_response), byte for byte. */
export function errorPage(status: number, ctx: ErrorPageContext): string {
  const line = statusLine(status);
  const title = line.slice(4);
  return '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n'
    + `<html><head>\n<title>${line}</title>\n</head><body>\n<h1>${title}</h1>\n`
    + cannedText(status, ctx)
    + (ctx.recursiveError !== undefined
      ? `<p>Additionally, a ${statusLine(ctx.recursiveError)}\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n`
      : '')
    + ctx.signature + '</body></html>\n';
}
