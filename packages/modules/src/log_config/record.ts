/**
 * Header fields as a list of (name, value) pairs in arrival order, or as a
 * plain object. Names match case-insensitively; the first match wins, as
 * `apr_table_get` does.
 */
export type HeaderSource = ReadonlyArray<readonly [string, string]> | Readonly<Record<string, string>>;

/**
 * The parts of one request a log line can show. A request that went through
 * internal redirects has an original (first) and a final (last) request;
 * `%<x` shows the first, `%>x` the last (see {@link LogRecord.original}).
 *
 * All strings are binary strings (one char per byte) as read off the wire.
 */
export interface LogRequest {
  /** The request line as received (`r->the_request`): `%r`. */
  readonly requestLine: string;
  /** `%m` */
  readonly method: string;
  /** The URL path, without query string: `%U`. */
  readonly uri: string;
  /** The query string without `?`; absent when the URL had none: `%q`. */
  readonly args?: string;
  /** `%H`, e.g. `HTTP/1.1`. */
  readonly protocol: string;
  /** `%s` */
  readonly status: number;
  /** The file the request mapped to: `%f`. */
  readonly filename?: string;
  /** The handler that produced the response: `%R`. */
  readonly handler?: string;
  /** The authenticated user: `%u`. */
  readonly user?: string;
  /** Request headers: `%{X}i`, `%{name}C`. */
  readonly headersIn?: HeaderSource;
  /** Response headers (incl. error headers): `%{X}o`. */
  readonly headersOut?: HeaderSource;
  /** `r->content_type`; wins over a Content-Type response header for `%{Content-Type}o`. */
  readonly contentType?: string;
  /** `%{X}e` */
  readonly env?: Readonly<Record<string, string>>;
  /** `%{X}n` */
  readonly notes?: Readonly<Record<string, string>>;
  /** `%{X}^ti` */
  readonly trailersIn?: HeaderSource;
  /** `%{X}^to` */
  readonly trailersOut?: HeaderSource;
  /** `%L` */
  readonly logId?: string;
}

/** Everything `compileLogFormat`'s formatter reads for one logged request. */
export interface LogRecord extends LogRequest {
  /**
   * The first request of an internal-redirect chain, where it differs from
   * this (final) one. Items defaulting to the original request (`%r %s %U %D
   * %T %L %R`) and items written `%<x` read their fields from here first.
   */
  readonly original?: Partial<LogRequest>;
  /** The client address the request is attributed to (`r->useragent_ip`): `%a`. */
  readonly clientIp: string;
  /** The peer address of the connection: `%{c}a`; defaults to clientIp. */
  readonly connectionClientIp?: string;
  /** The client host name if looked up, else absent (then `%h` shows the IP). */
  readonly remoteHost?: string;
  /** The connection's peer host name for `%{c}h`; defaults to remoteHost / connectionClientIp. */
  readonly connectionRemoteHost?: string;
  /** Identd answer (`%l`); absent = `-`. */
  readonly remoteLogname?: string;
  /** `%A` */
  readonly localIp: string;
  /** Canonical port of the server (`%p`, `%{canonical}p`). */
  readonly serverPort: number;
  /** Port the connection arrived on: `%{local}p`. */
  readonly localPort: number;
  /** Client's port: `%{remote}p`. */
  readonly remotePort: number;
  /** ServerName of the server that handled the request: `%v`. */
  readonly serverHostname: string;
  /** Server name per UseCanonicalName (Host header or ServerName): `%V`. */
  readonly serverName: string;
  /** When the request line was read. */
  readonly requestTime: Date;
  /**
   * Microseconds since the epoch of requestTime, where more precision than
   * the Date's milliseconds is known.
   */
  readonly requestTimeMicros?: number;
  /** Microseconds from requestTime to the time of logging: `%D`, `%T`, `end:` times. */
  readonly durationMicros: number;
  /** Body bytes sent (`r->bytes_sent`): `%b`, `%B`. */
  readonly bytesSent: number;
  /** Whether any body was sent; defaults to bytesSent > 0. */
  readonly sentBody?: boolean;
  /** `%P` */
  readonly pid: number;
  /** `%{tid}P`; a prefork child has a single thread. */
  readonly tid?: number;
  /** Requests served on this connection so far, this one included (`c->keepalives` after it): `%k`. */
  readonly keepalives: number;
  /** The connection was aborted: `%X` is `X`. */
  readonly aborted?: boolean;
  /** The connection will be kept alive after this response. */
  readonly keepAlive?: boolean;
  /** MaxKeepAliveRequests (0 = unlimited), for `%X`. */
  readonly maxKeepAliveRequests?: number;
  /** Bytes received on the connection for this request, headers included (mod_logio): `%I`. */
  readonly bytesIn?: number;
  /** Bytes sent on the connection for this request, headers included (mod_logio): `%O`. */
  readonly bytesOut?: number;
  /** Microseconds to the first byte of the response (LogIOTrackTTFB): `%^FB`. */
  readonly ttfbMicros?: number;
}
