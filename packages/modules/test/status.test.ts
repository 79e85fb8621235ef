import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  aprG,
  formatByteOut,
  formatKbyteOut,
  parseStatusQuery,
  renderStatusAuto,
  renderStatusHtml,
  showTime,
  WorkerStatus,
  type ProcessSnapshot,
  type StatusSnapshot,
  type WorkerSnapshot,
} from '../src/index.js';

const capture = (name: string): string => readFileSync(`/work/shared/apache-reference/captures/2f/${name}`, 'latin1');

const NOW = Date.UTC(2026, 10, 25, 16, 26, 19, 500);
const NOW_US = NOW * 1000;
const IDLE_TIMES = { user: 0, system: 0, childUser: 0, childSystem: 0 };

interface SlotSpec {
  pid: number;
  status: WorkerStatus;
  /** connCount/myAccessCount/accessCount */
  acc?: [number, number, number];
  /** Seconds since last used. */
  ss?: number;
  reqMs?: number;
  durationMicros?: number;
  bytes?: [number, number, number];
  request?: string;
  vhost?: string;
  systemTicks?: number;
}

/** The scoreboard of the 2f capture server: ServerLimit 256, MaxRequestWorkers 20. */
function snapshot(slots: SlotSpec[], over: Partial<StatusSnapshot> = {}): StatusSnapshot {
  const processes: ProcessSnapshot[] = [];
  for (let i = 0; i < 256; i++) {
    const spec = slots[i];
    const worker: WorkerSnapshot = spec
      ? {
          status: spec.status,
          connCount: spec.acc?.[0] ?? 0, myAccessCount: spec.acc?.[1] ?? 0, accessCount: spec.acc?.[2] ?? 0,
          connBytes: spec.bytes?.[0] ?? 0, myBytesServed: spec.bytes?.[1] ?? 0, bytesServed: spec.bytes?.[2] ?? 0,
          durationMicros: spec.durationMicros ?? 0,
          startTimeMicros: spec.reqMs === undefined ? 0 : NOW_US - 5_000_000,
          stopTimeMicros: spec.reqMs === undefined ? 0 : NOW_US - 5_000_000 + spec.reqMs * 1000 + 400,
          lastUsedMicros: NOW_US - (spec.ss ?? 0) * 1_000_000 - 200_000,
          times: { ...IDLE_TIMES, system: spec.systemTicks ?? 0 },
          client: '127.0.0.1', protocol: 'http/1.1',
          request: spec.request ?? '', vhost: spec.vhost ?? (spec.request ? 'localhost:18080' : ''),
        }
      : {
          status: WorkerStatus.DEAD, connCount: 0, myAccessCount: 0, accessCount: 0, connBytes: 0, myBytesServed: 0,
          bytesServed: 0, durationMicros: 0, startTimeMicros: 0, stopTimeMicros: 0, lastUsedMicros: 0,
          times: IDLE_TIMES, client: '', protocol: '', request: '', vhost: '',
        };
    processes.push({ pid: spec?.pid ?? 0, generation: 0, quiescing: false, workers: [worker] });
  }
  return {
    serverName: '127.0.0.1', localIp: '127.0.0.1', serverVersion: 'Apache/2.4.71 (Debian)', mpm: 'prefork',
    serverBuilt: '2026-11-12T08:58:41', now: new Date(NOW), restartTime: new Date(Date.UTC(2026, 10, 25, 16, 26, 12, 900)),
    configGeneration: 1, mpmGeneration: 0, loadAverage: [0.63, 0.73, 0.43], extendedStatus: true,
    globalTimes: { ...IDLE_TIMES, system: 3 }, maxDaemons: 20, processes, signature: '',
    gmtOffset: () => 0, zoneName: () => 'UTC', ...over,
  };
}

const slow = 'GET /slow/data80k.bin HTTP/1.1';
const common: SlotSpec[] = [
  { pid: 15797, status: WorkerStatus.BUSY_WRITE, ss: 3, reqMs: 0, request: slow },
  { pid: 15798, status: WorkerStatus.BUSY_READ, ss: 6 },
  { pid: 15799, status: WorkerStatus.BUSY_READ, ss: 6 },
  { pid: 15990, status: WorkerStatus.BUSY_WRITE, ss: 2, reqMs: 0, request: slow },
  { pid: 16022, status: WorkerStatus.BUSY_KEEPALIVE, acc: [1, 1, 1], ss: 1, reqMs: 3, durationMicros: 7600, bytes: [275, 275, 275], request: 'GET /hello.txt HTTP/1.1' },
];
const autoDone: SlotSpec = { pid: 16023, status: WorkerStatus.READY, acc: [0, 1, 1], ss: 0, reqMs: 1, durationMicros: 2600, bytes: [0, 890, 890], request: 'GET /server-status?auto HTTP/1.1' };
const idle = (pid: number): SlotSpec => ({ pid, status: WorkerStatus.READY });

t.test('?auto with busy workers (captures/2f/auto.body)', async (t) => {
  const s = snapshot([...common, { pid: 16023, status: WorkerStatus.BUSY_WRITE, request: 'GET /server-status?auto HTTP/1.1' }, idle(1), idle(2), idle(3), idle(4)]);
  t.equal(renderStatusAuto(s), capture('auto.body'));
});

t.test('HTML page with the worker table (captures/2f/html.body)', async (t) => {
  const s = snapshot([...common, autoDone, idle(16068), { pid: 16069, status: WorkerStatus.BUSY_WRITE, ss: 0, reqMs: 0, request: 'GET /server-status HTTP/1.1' }, idle(1), idle(2)]);
  t.equal(renderStatusHtml(s), capture('html.body'));
});

t.test('?notable page (captures/2f/notable.body)', async (t) => {
  const s = snapshot([
    ...common, autoDone,
    { pid: 16068, status: WorkerStatus.BUSY_WRITE, ss: 0, reqMs: 0, request: 'GET /server-status?notable HTTP/1.1' },
    { pid: 16069, status: WorkerStatus.READY, acc: [0, 1, 1], ss: 0, reqMs: 1, durationMicros: 2600, bytes: [0, 4554, 4554], request: 'GET /server-status HTTP/1.1', systemTicks: 1 },
    idle(1), idle(2),
  ]);
  t.equal(renderStatusHtml(s, { notable: true }), capture('notable.body'));
});

// The ?auto and HTML captures were taken by different children.
const esOffAuto: SlotSpec[] = [{ pid: 17635, status: WorkerStatus.BUSY_WRITE }, idle(17636), idle(17637)];
const esOffHtml: SlotSpec[] = [idle(17635), idle(17636), { pid: 17637, status: WorkerStatus.BUSY_WRITE }];
const esOff = (slots: SlotSpec[]): StatusSnapshot =>
  snapshot(slots, {
    extendedStatus: false, loadAverage: [1.38, 0.99, 0.56],
    now: new Date(Date.UTC(2026, 10, 25, 16, 28, 7, 300)), restartTime: new Date(Date.UTC(2026, 10, 25, 16, 28, 6, 100)),
  });

t.test('ExtendedStatus Off: ?auto and HTML with the PID key', async (t) => {
  t.equal(renderStatusAuto(esOff(esOffAuto)), capture('auto-ExtendedStatus-Off.body'));
  t.equal(renderStatusHtml(esOff(esOffHtml)), capture('html-ExtendedStatus-Off.body'));
});

t.test('ExtendedStatus unset (mod_status turns it on) with no requests yet', async (t) => {
  const s = snapshot([idle(1), { pid: 2, status: WorkerStatus.BUSY_WRITE, request: 'GET /server-status?auto HTTP/1.1' }, idle(3)], {
    loadAverage: [1.38, 0.99, 0.56], globalTimes: { user: 1, system: 1, childUser: 0, childSystem: 0 },
    now: new Date(Date.UTC(2026, 10, 25, 16, 28, 10, 300)), restartTime: new Date(Date.UTC(2026, 10, 25, 16, 28, 9, 100)),
  });
  t.equal(renderStatusAuto(s), capture('auto-ExtendedStatus-unset.body'));
});

t.test('query options as mod_status reads them', async (t) => {
  t.same(parseStatusQuery(undefined), { refresh: undefined, notable: false, auto: false, contentType: 'text/html; charset=ISO-8859-1' });
  t.equal(parseStatusQuery('refresh=5').refresh, 5);
  t.equal(parseStatusQuery('refresh').refresh, 10);
  t.equal(parseStatusQuery('refresh=0').refresh, 10);
  t.equal(parseStatusQuery('refresh=abc').refresh, 10);
  t.equal(parseStatusQuery('refresh=7x').refresh, 7);
  const both = parseStatusQuery('autorefresh=3&notable');
  t.same([both.auto, both.notable, both.refresh, both.contentType], [true, true, 3, 'text/plain; charset=ISO-8859-1']);
});

t.test('number formatting of apr_snprintf and mod_status', async (t) => {
  const g: [number, number | undefined, string][] = [
    [Math.fround(1 / 6), undefined, '.166667'], [0, undefined, '0'], [0.5, undefined, '.5'], [7, undefined, '7'],
    [120, undefined, '120'], [1234567, undefined, '1234570'], [0.03, undefined, '.03'], [1e7, undefined, '1.e+7'],
    [0.00001, undefined, '1.e-5'], [2 / 3 * 100 / 100, 3, '.667'], [Math.fround(2 / 6), 3, '.333'], [853.3333, undefined, '853.333'],
    [-0.25, undefined, '-.25'], [100, 3, '100'], [12345, 3, '12300'],
  ];
  for (const [v, p, s] of g) t.equal(aprG(v, p), s, `${v} %.${p ?? 6}g`);
  t.equal(showTime(0), '');
  t.equal(showTime(1), ' 1 second');
  t.equal(showTime(6), ' 6 seconds');
  t.equal(showTime(3723), ' 1 hour 2 minutes 3 seconds');
  t.equal(showTime(90061), ' 1 day 1 hour 1 minute 1 second');
  t.equal(showTime(2 * 86400 + 7200), ' 2 days 2 hours');
  t.equal(formatByteOut(5119), '5119 B');
  t.equal(formatByteOut(5120), '5.0 kB');
  t.equal(formatByteOut(600000), '0.6 MB');
  t.equal(formatByteOut(3 * 1073741824), '3.0 GB');
  t.equal(formatKbyteOut(1023), '1023 kB');
  t.equal(formatKbyteOut(1536), '1.5 MB');
  t.equal(formatKbyteOut(3 * 1048576), '3.0 GB');
});

t.test('graceful and quiescing processes, old generations, long scoreboards', async (t) => {
  const slots: SlotSpec[] = [];
  for (let i = 0; i < 70; i++) slots.push(idle(100 + i));
  slots[1] = { pid: 101, status: WorkerStatus.GRACEFUL };
  slots[2] = { pid: 102, status: WorkerStatus.IDLE_KILL };
  slots[3] = { pid: 103, status: WorkerStatus.STARTING };
  const s = snapshot(slots, { maxDaemons: 80, extendedStatus: false });
  const auto = renderStatusAuto(s);
  t.match(auto, /\nBusyWorkers: 0\nGracefulWorkers: 1\nIdleWorkers: 67\n/);
  t.match(auto, /\nScoreboard: _GIS_{66}\.{10}\n$/);
  const html = renderStatusHtml(s);
  t.match(html, /<pre>_GIS_{60}\n_{6}\.{10}<\/pre>/, 'the HTML scoreboard wraps after 64 slots');
  const oldGen = snapshot([idle(1), idle(2)], { mpmGeneration: 1 });
  t.match(renderStatusAuto(oldGen), /IdleWorkers: 0\n/, 'idle workers of an old generation are not counted');
  const signed = renderStatusHtml(snapshot([idle(1)], { signature: '<hr />\n<address>Apache/2.4.71 (Debian) Server at 127.0.0.1 Port 80</address>\n' }));
  t.match(signed, /<\/table>\n<hr \/>\n<address>Apache\/2\.4\.71 \(Debian\) Server at 127\.0\.0\.1 Port 80<\/address>\n<\/body><\/html>\n$/);
  const escaped = renderStatusHtml(snapshot([{ pid: 9, status: WorkerStatus.BUSY_WRITE, request: 'GET /<a>&"x"\x01 HTTP/1.1' }]));
  t.match(escaped, /<td nowrap>GET \/&lt;a&gt;&amp;\\&quot;x\\&quot;\\x01 HTTP\/1\.1<\/td>/);
});
