import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  compileLogFormat,
  DEBIAN_LOG_FORMATS,
  DEFAULT_LOG_FORMAT,
  escapeLogItem,
  LogFormatError,
  resolveLogFormat,
  type LogRecord,
} from '../src/index.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'latin1');
const captures = (rel: string): string => readFileSync(`/work/shared/apache-reference/captures/${rel}`, 'latin1');
const UTC = { gmtOffset: () => 0, zoneName: () => 'UTC' };

/** The LogFormat string of the capture config, unquoted as httpd's config reader does. */
function captureFormat(): string {
  const line = fixture('apache-capture.conf').split('\n').find((l) => l.startsWith('LogFormat '));
  if (!line) throw new Error('no LogFormat in fixture');
  const m = /^LogFormat "((?:[^"\\]|\\.)*)" test$/.exec(line);
  if (!m) throw new Error('unexpected LogFormat line');
  return m[1].replace(/\\"/g, '"');
}

// The capture's port was replaced by @PORT@; 38789 stands in for it.
const captureLines = fixture('apache-capture.access_log').replaceAll('@PORT@', '38789').trimEnd().split('\n');
const format = compileLogFormat(captureFormat(), UTC);

// Facts about the capture server and each request that httpd logged; the
// formatter must turn them into the exact lines httpd wrote.
const server = {
  localIp: '127.0.0.1', clientIp: '127.0.0.1', serverPort: 80, pid: 18006,
  serverHostname: 'localhost', maxKeepAliveRequests: 3,
  headersOut: [['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2'], ['Date', 'x']] as [string, string][],
};

function timing(line: string): { requestTimeMicros: number; requestTime: Date; durationMicros: number } {
  const f = line.split('|');
  const micros = Number(f[46]);
  return { requestTimeMicros: micros, requestTime: new Date(Math.floor(micros / 1000)), durationMicros: Number(f[31]) };
}

function logio(line: string): { bytesIn: number; bytesOut: number; remotePort: number; localPort: number } {
  const f = line.split('|');
  return { bytesIn: Number(f[28]), bytesOut: Number(f[29]), remotePort: Number(f[17]), localPort: Number(f[16]) };
}

const mimeTypes = new Map(
  fixture('apache-mime-results.txt').trimEnd().split('\n').map((l) => {
    const [file, headers] = l.split('\t');
    const ct = /Content-Type: ([^;]*(?:; charset=[^;]*)?);/.exec(headers ?? '');
    return [file, ct?.[1]];
  }),
);

t.test('HEAD requests of the capture: every item of the big format', async (t) => {
  const heads = captureLines.filter((l) => l.includes('|HEAD /') && !l.includes('|HTTP/1.1|1|'));
  t.equal(heads.length, 22);
  for (const line of heads) {
    const path = /\|HEAD (\/[^ ]*) HTTP\/1\.1\|/.exec(line)?.[1] ?? '';
    const record: LogRecord = {
      ...server,
      ...timing(line),
      ...logio(line),
      requestLine: `HEAD ${path} HTTP/1.1`, method: 'HEAD', uri: path, protocol: 'HTTP/1.1', status: 200,
      filename: `@ROOT@/htdocs${path}`, serverName: '127.0.0.1',
      headersIn: { Host: `127.0.0.1:${logio(line).localPort}`, 'User-Agent': 'curl/7.88.1', Accept: '*/*' },
      contentType: mimeTypes.get(path.slice(1)),
      bytesSent: 0, keepalives: 1, keepAlive: true,
    };
    t.equal(format(record), line, path);
  }
});

t.test('GET with quotes in headers, repeated headers, cookies, env and a query string', async (t) => {
  const line = captureLines.find((l) => l.includes('|GET /plain.txt?a=1'));
  if (!line) return t.fail('line missing');
  const record: LogRecord = {
    ...server, ...timing(line), ...logio(line),
    requestLine: 'GET /plain.txt?a=1&b=%22x HTTP/1.1', method: 'GET', uri: '/plain.txt', args: 'a=1&b=%22x',
    protocol: 'HTTP/1.1', status: 200, filename: '@ROOT@/htdocs/plain.txt', serverName: 'example.org',
    headersIn: [
      ['Host', 'example.org'], ['User-Agent', 'tester/1.0'], ['Referer', 'http://r/"q"'],
      ['X-Multi', 'one, two'], ['Cookie', 'a=1; sess = abc ; z=2'], ['Connection', 'close'],
    ],
    contentType: 'text/plain; charset=utf-8', env: { FOO: 'bar\\' },
    bytesSent: 2, keepalives: 1, keepAlive: false,
  };
  t.equal(format(record), line);
});

t.test('error responses: 400 without parsed headers, status conditions', async (t) => {
  const [missing, garbage] = captureLines.filter((l) => l.includes('|400|400|400|'));
  const base = { ...server, status: 400, contentType: 'text/html; charset=iso-8859-1', bytesSent: 266, keepalives: 1, serverName: 'localhost' };
  t.equal(format({
    ...base, ...timing(missing), ...logio(missing),
    requestLine: 'GET /missing HTTP/1.0', method: 'GET', uri: '/missing', protocol: 'HTTP/1.0',
  }), missing);
  t.equal(format({
    ...base, ...timing(garbage), ...logio(garbage),
    requestLine: 'GARBAGE', method: 'GARBAGE', uri: '/', protocol: 'HTTP/1.0',
  }), garbage);
});

t.test('pipelined keep-alive requests: %k, %X and MaxKeepAliveRequests', async (t) => {
  const lines = captureLines.filter((l) => l.includes('|HTTP/1.1|1|'));
  t.equal(lines.length, 3);
  const paths = ['/plain.txt', '/plain.txt', '/file.gz'];
  const methods = ['HEAD', 'GET', 'GET'];
  const types = ['text/plain; charset=utf-8', 'text/plain; charset=utf-8', 'application/x-gzip'];
  lines.forEach((line, i) => {
    const record: LogRecord = {
      ...server, ...timing(line), ...logio(line),
      requestLine: `${methods[i]} ${paths[i]} HTTP/1.1`, method: methods[i], uri: paths[i], protocol: 'HTTP/1.1',
      status: 200, filename: `@ROOT@/htdocs${paths[i]}`, serverName: 'localhost',
      headersIn: { Host: 'localhost' }, contentType: types[i],
      bytesSent: methods[i] === 'HEAD' ? 0 : 2,
      // httpd logs a pipelined request when its output is flushed, after the
      // next request has already counted itself in c->keepalives.
      keepalives: 2, keepAlive: i < 2,
    };
    t.equal(format(record), line, `${methods[i]} ${paths[i]}`);
  });
});

t.test('the 2g access log of real Apache (combinedpid)', async (t) => {
  const fmt = compileLogFormat('%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\" %P %D'.replace(/\\"/g, '"'), UTC);
  const lines = captures('2g/access_log').trimEnd().split('\n');
  let checked = 0;
  for (const line of lines) {
    const m = /^127\.0\.0\.1 - - \[25\/Nov\/2026:(\d\d):(\d\d):(\d\d) \+0000\] "(.*)" (\d+) (\S+) "-" "(.*)" (\d+) (\d+)$/.exec(line);
    if (!m) continue;
    const [, hh, mm, ss, requestLine, status, bytes, ua, pid, dur] = m;
    const record: LogRecord = {
      ...server, localPort: 80, remotePort: 0, clientIp: '127.0.0.1', serverName: 'localhost',
      requestLine: unescapeLogItem(requestLine), method: '', uri: '', protocol: '',
      status: Number(status), bytesSent: bytes === '-' ? 0 : Number(bytes),
      headersIn: ua === '-' ? {} : { 'User-Agent': ua },
      requestTime: new Date(Date.UTC(2026, 10, 25, Number(hh), Number(mm), Number(ss), 123)),
      durationMicros: Number(dur), pid: Number(pid), keepalives: 1,
    };
    t.equal(fmt(record), line);
    checked++;
  }
  t.ok(checked >= 70, `checked ${checked} lines`);
});

t.test('escaping as ap_escape_logitem', async (t) => {
  t.equal(escapeLogItem('a"b\\c'), 'a\\"b\\\\c');
  t.equal(escapeLogItem('\b\n\r\t\v'), '\\b\\n\\r\\t\\v');
  t.equal(escapeLogItem('\x01\x7f\xe9'), '\\x01\\x7f\\xe9');
  t.equal(escapeLogItem('\u20ac'), '\\xe2\\x82\\xac');
  t.equal(escapeLogItem('plain text ~'), 'plain text ~');
  const fmt = compileLogFormat('"%r" %{X}i', UTC);
  t.equal(fmt(minimal({ requestLine: 'GET /"x"\x1b HTTP/1.1', headersIn: { x: 'a\tb' } })), '"GET /\\"x\\"\\x1b HTTP/1.1" a\\tb');
});

/** Reverses ap_escape_logitem, to rebuild the bytes a client sent from httpd's log. */
function unescapeLogItem(s: string): string {
  const named: Record<string, string> = { b: '\b', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };
  return s.replace(/\\(x[0-9a-f]{2}|.)/g, (_, e: string) =>
    e.length === 3 ? String.fromCharCode(Number.parseInt(e.slice(1), 16)) : named[e] ?? '\\' + e);
}

function minimal(over: Partial<LogRecord> = {}): LogRecord {
  return {
    requestLine: 'GET / HTTP/1.1', method: 'GET', uri: '/', protocol: 'HTTP/1.1', status: 200,
    clientIp: '10.0.0.1', localIp: '10.0.0.2', serverPort: 80, localPort: 8080, remotePort: 5555,
    serverHostname: 'www.example.com', serverName: 'example.com',
    requestTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), durationMicros: 1_234_567,
    bytesSent: 0, pid: 42, keepalives: 1, ...over,
  };
}

t.test('original vs final request (%<s %>s %s %U %r)', async (t) => {
  const fmt = compileLogFormat('%s %<s %>s %U %>U %m %<m', UTC);
  const r = minimal({ status: 200, uri: '/index.html', method: 'GET', original: { status: 302, uri: '/', method: 'POST' } });
  t.equal(fmt(r), '302 302 200 / /index.html GET POST');
});

t.test('times: CLF with offsets, strftime, begin:/end:, sec/msec/usec', async (t) => {
  const r = minimal({ requestTimeMicros: Date.UTC(2026, 0, 2, 3, 4, 5, 678) * 1000 + 9, durationMicros: 2_500_000 });
  const east = compileLogFormat('%t|%{end}t|%{%d/%b/%Y %T %z}t|%{end:%T}t', { gmtOffset: () => 5.5 * 3600, zoneName: () => 'IST' });
  t.equal(east(r), '[02/Jan/2026:08:34:05 +0530]|[02/Jan/2026:08:34:08 +0530]|02/Jan/2026 08:34:05 +0530|08:34:08');
  const west = compileLogFormat('%t %{%Z %j %U %W %V %G}t', { gmtOffset: () => -8 * 3600, zoneName: () => 'PST' });
  t.equal(west(r), '[01/Jan/2026:19:04:05 -0800] PST 001 00 00 01 2026');
  const abs = compileLogFormat('%{sec}t %{msec}t %{usec}t %{msec_frac}t %{usec_frac}t %{end:usec}t %{begin:msec}t', UTC);
  t.equal(abs(r), '1767323045 1767323045678 1767323045678009 678 678009 1767323048178009 1767323045678');
  const dur = compileLogFormat('%D %T %{s}T %{MS}T %{us}T %{x}T', UTC);
  t.equal(dur(r), '2500000 2 2 2500 2500000 x');
});

t.test('bytes, user, ports, pid, keep-alive status', async (t) => {
  const fmt = compileLogFormat('%b %B %u %p %{local}p %{remote}p %{canonical}p %P %{pid}P %{tid}P %k %X', UTC);
  t.equal(fmt(minimal()), '- 0 - 80 8080 5555 80 42 42 42 0 -');
  t.equal(fmt(minimal({ bytesSent: 10, user: '', keepalives: 3, keepAlive: true, maxKeepAliveRequests: 100 })),
    '10 10 "" 80 8080 5555 80 42 42 42 2 +');
  t.equal(fmt(minimal({ user: 'jo"e', keepAlive: true, maxKeepAliveRequests: 3, keepalives: 3 })).split(' ').slice(2, 3).join(), 'jo\\"e');
  t.equal(fmt(minimal({ aborted: true, keepAlive: true })).slice(-1), 'X');
  t.equal(fmt(minimal({ keepAlive: true, maxKeepAliveRequests: 3, keepalives: 3 })).slice(-1), '-');
});

t.test('status conditions', async (t) => {
  const fmt = compileLogFormat('%400,501{User-agent}i|%!200,304{User-agent}i|%404u', UTC);
  const ua = { headersIn: { 'user-agent': 'bot' } };
  t.equal(fmt(minimal({ ...ua, status: 400 })), 'bot|bot|-');
  t.equal(fmt(minimal({ ...ua, status: 501 })), 'bot|bot|-');
  t.equal(fmt(minimal({ ...ua, status: 200 })), '-|-|-');
  t.equal(fmt(minimal({ ...ua, status: 304 })), '-|-|-');
  t.equal(fmt(minimal({ ...ua, status: 404, user: 'u' })), '-|bot|u');
});

t.test('literal escapes and %%', async (t) => {
  t.equal(compileLogFormat('a\\tb\\nc\\\\d\\qe 100%%', UTC)(minimal()), 'a\tb\nc\\d\\qe 100%');
});

t.test('compile errors with httpd wording', async (t) => {
  const cases: [string, string][] = [
    ['%Y', 'Unrecognized LogFormat directive %Y'],
    ['%{foo}', 'Ran off end of LogFormat parsing args to some directive'],
    ['%{foo', 'Ran off end of LogFormat parsing args to some directive'],
    ['abc %', 'Ran off end of LogFormat parsing args to some directive'],
    ['%^xy', 'Unrecognized LogFormat directive %^'],
    ['%>c', 'Unrecognized LogFormat directive %c'],
  ];
  for (const [fmt, message] of cases) {
    t.throws(() => compileLogFormat(fmt), new LogFormatError(message), fmt);
  }
  try {
    compileLogFormat('%Y');
  } catch (e) {
    t.equal((e as LogFormatError).code, 'PF_LOG_FORMAT');
  }
  t.doesNotThrow(() => compileLogFormat('%{X}^ti %{X}^to %^FB %I %O %S'));
});

t.test('default formats and nickname resolution', async (t) => {
  t.equal(DEFAULT_LOG_FORMAT, '%h %l %u %t "%r" %>s %b');
  t.equal(resolveLogFormat('combined', DEBIAN_LOG_FORMATS), DEBIAN_LOG_FORMATS.combined);
  t.equal(resolveLogFormat('%h', DEBIAN_LOG_FORMATS), '%h');
  const r = minimal({ bytesOut: 321, headersIn: { Referer: 'http://a/', 'User-Agent': 'UA' }, remoteHost: 'client.example' });
  t.equal(compileLogFormat(DEBIAN_LOG_FORMATS.combined, UTC)(r),
    'client.example - - [02/Jan/2026:03:04:05 +0000] "GET / HTTP/1.1" 200 321 "http://a/" "UA"');
  t.equal(compileLogFormat(DEBIAN_LOG_FORMATS.vhost_combined, UTC)(r),
    'www.example.com:80 client.example - - [02/Jan/2026:03:04:05 +0000] "GET / HTTP/1.1" 200 321 "http://a/" "UA"');
  t.equal(compileLogFormat(DEBIAN_LOG_FORMATS.referer, UTC)(r), 'http://a/ -> /');
  t.equal(compileLogFormat(DEBIAN_LOG_FORMATS.agent, UTC)(r), 'UA');
});
