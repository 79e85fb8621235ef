import { escapeLogItem } from '../log_config/escape.js';
import { explodeTime, strftime } from '../log_config/strftime.js';
import { aprG, escapeHtml, fixed, formatByteOut, formatKbyteOut, showTime } from './format.js';
import { STATUS_CHARS, WorkerStatus, type StatusSnapshot, type WorkerSnapshot } from './snapshot.js';

const KBYTE = 1024;
const MBYTE = 1048576;
/** Scoreboard characters per line in the HTML page. */
const STATUS_MAXLINE = 64;
const DISABLED = ' ';
const DOCTYPE_HTML_4_01 =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n';

/** Options of a server-status request, from its query string. */
export interface StatusQuery {
  /** `Refresh` response header value, when `refresh` was asked for. */
  readonly refresh?: number;
  readonly notable: boolean;
  readonly auto: boolean;
  /** The response's Content-Type. */
  readonly contentType: string;
}

/**
 * Reads mod_status's options from a query string the way httpd does: each
 * keyword is found anywhere in it (`?autorefresh` is both), `refresh=N` with
 * N < 1 or unparsable becomes 10.
 */
export function parseStatusQuery(args: string | undefined): StatusQuery {
  let refresh: number | undefined;
  let notable = false;
  let auto = false;
  if (args !== undefined) {
    const at = args.indexOf('refresh');
    if (at >= 0) {
      let seconds = 0;
      if (args[at + 7] === '=') {
        // atol: optional space and sign, then digits; anything else stops it.
        const m = /^\s*([+-]?\d+)/.exec(args.slice(at + 8));
        seconds = m ? Number(m[1]) : 0;
      }
      refresh = seconds < 1 ? 10 : seconds;
    }
    notable = args.includes('notable');
    auto = args.includes('auto');
  }
  return {
    refresh,
    notable,
    auto,
    contentType: auto ? 'text/plain; charset=ISO-8859-1' : 'text/html; charset=ISO-8859-1',
  };
}

interface Totals {
  readonly idle: number;
  readonly graceful: number;
  readonly busy: number;
  readonly count: number;
  readonly kbcount: number;
  readonly durationMicros: number;
  readonly cpu: { user: number; system: number; childUser: number; childSystem: number };
  readonly scoreboard: string[];
  readonly upTime: number;
}

function totals(s: StatusSnapshot): Totals {
  let idle = 0;
  let graceful = 0;
  let busy = 0;
  let count = 0;
  let bcount = 0;
  let kbcount = 0;
  let durationMicros = 0;
  const cpu = { user: 0, system: 0, childUser: 0, childSystem: 0 };
  const scoreboard: string[] = [];
  const threadsPerChild = s.threadsPerChild ?? 1;
  s.processes.forEach((ps, i) => {
    const proc = { user: 0, system: 0, childUser: 0, childSystem: 0 };
    ps.workers.forEach((ws, j) => {
      const res = ws.status;
      const disabled = (i >= s.maxDaemons || j >= threadsPerChild) && res === WorkerStatus.DEAD;
      scoreboard.push(disabled ? DISABLED : STATUS_CHARS[res] ?? '?');
      if (!ps.quiescing && ps.pid) {
        if (res === WorkerStatus.READY) {
          if (ps.generation === s.mpmGeneration) idle++;
        } else if (res !== WorkerStatus.DEAD && res !== WorkerStatus.STARTING && res !== WorkerStatus.IDLE_KILL) {
          if (res === WorkerStatus.GRACEFUL) graceful++;
          else busy++;
        }
      }
      if (s.extendedStatus && (ws.accessCount !== 0 || (res !== WorkerStatus.READY && res !== WorkerStatus.DEAD))) {
        // The handler runs in a prefork child, so a process's CPU is its
        // busiest worker's, not a sum.
        const t = ws.times;
        if (t.user > proc.user || t.system > proc.system || t.childUser > proc.childUser || t.childSystem > proc.childSystem) {
          Object.assign(proc, t);
        }
        count += ws.accessCount;
        bcount += ws.bytesServed;
        durationMicros += ws.durationMicros;
        if (bcount >= KBYTE) {
          kbcount += Math.floor(bcount / KBYTE);
          bcount %= KBYTE;
        }
      }
    });
    cpu.user += proc.user;
    cpu.system += proc.system;
    cpu.childUser += proc.childUser;
    cpu.childSystem += proc.childSystem;
  });
  const upTime = Math.max(0, Math.floor((s.now.getTime() - s.restartTime.getTime()) / 1000));
  return { idle, graceful, busy, count, kbcount, durationMicros, cpu, scoreboard, upTime };
}

function htTime(s: StatusSnapshot, at: Date): string {
  const offset = s.gmtOffset ? s.gmtOffset(at) : -at.getTimezoneOffset() * 60;
  const zone = s.zoneName ? s.zoneName(at) : localZoneName(at);
  return strftime('%A, %d-%b-%Y %H:%M:%S %Z', explodeTime(at.getTime(), offset, zone));
}

function localZoneName(at: Date): string {
  return new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/** The CPU figures in seconds, computed in C `float` as mod_status does. */
function cpuFigures(s: StatusSnapshot, t: Totals): { u: number; s: number; cu: number; cs: number; load?: number } {
  const tick = Math.fround(s.clockTicks ?? 100);
  const g = s.globalTimes;
  const u = Math.fround((g.user + t.cpu.user) / tick);
  const sy = Math.fround((g.system + t.cpu.system) / tick);
  const cu = Math.fround((g.childUser + t.cpu.childUser) / tick);
  const cs = Math.fround((g.childSystem + t.cpu.childSystem) / tick);
  const ticks = g.user + g.system + g.childUser + g.childSystem + t.cpu.user + t.cpu.system + t.cpu.childUser + t.cpu.childSystem;
  const load = ticks ? (Math.fround(Math.fround(ticks / tick) / t.upTime) * 100) : undefined;
  return { u, s: sy, cu, cs, load };
}

const msec = (micros: number): number => Math.floor(micros / 1000);
const fdiv = (a: number, b: number): number => Math.fround(Math.fround(a) / Math.fround(b));

/**
 * The `?auto` page: machine-readable `Key: value` lines, in httpd's order
 * (the first line is the server name alone). Without ExtendedStatus the
 * counters, CPU and rate lines are left out; rates need uptime > 0, the
 * per-request lines need at least one request.
 */
export function renderStatusAuto(s: StatusSnapshot): string {
  const t = totals(s);
  const lines: string[] = [
    s.serverName,
    `ServerVersion: ${s.serverVersion}`,
    `ServerMPM: ${s.mpm}`,
    `Server Built: ${s.serverBuilt}`,
    `CurrentTime: ${htTime(s, s.now)}`,
    `RestartTime: ${htTime(s, s.restartTime)}`,
    `ParentServerConfigGeneration: ${s.configGeneration}`,
    `ParentServerMPMGeneration: ${s.mpmGeneration}`,
    `ServerUptimeSeconds: ${t.upTime}`,
    `ServerUptime:${showTime(t.upTime)}`,
    `Load1: ${fixed(s.loadAverage[0], 2)}`,
    `Load5: ${fixed(s.loadAverage[1], 2)}`,
    `Load15: ${fixed(s.loadAverage[2], 2)}`,
  ];
  if (s.extendedStatus) {
    const c = cpuFigures(s, t);
    lines.push(
      `Total Accesses: ${t.count}`,
      `Total kBytes: ${t.kbcount}`,
      `Total Duration: ${msec(t.durationMicros)}`,
      `CPUUser: ${aprG(c.u)}`,
      `CPUSystem: ${aprG(c.s)}`,
      `CPUChildrenUser: ${aprG(c.cu)}`,
      `CPUChildrenSystem: ${aprG(c.cs)}`,
    );
    if (c.load !== undefined) lines.push(`CPULoad: ${aprG(c.load)}`);
    lines.push(`Uptime: ${t.upTime}`);
    if (t.upTime > 0) {
      lines.push(`ReqPerSec: ${aprG(fdiv(t.count, t.upTime))}`);
      lines.push(`BytesPerSec: ${aprG(fdiv(Math.fround(KBYTE * t.kbcount), t.upTime))}`);
    }
    if (t.count > 0) {
      lines.push(`BytesPerReq: ${aprG(fdiv(Math.fround(KBYTE * t.kbcount), t.count))}`);
      lines.push(`DurationPerReq: ${aprG(fdiv(msec(t.durationMicros), t.count))}`);
    }
  }
  lines.push(`BusyWorkers: ${t.busy}`, `GracefulWorkers: ${t.graceful}`, `IdleWorkers: ${t.idle}`);
  lines.push(`Scoreboard: ${t.scoreboard.filter((c) => c !== DISABLED).join('')}`);
  return lines.join('\n') + '\n';
}

/** The legend under the scoreboard in the HTML page. */
export const SCOREBOARD_KEY =
  '<p>Scoreboard Key:<br />\n' +
  '"<b><code>_</code></b>" Waiting for Connection, \n' +
  '"<b><code>S</code></b>" Starting up, \n' +
  '"<b><code>R</code></b>" Reading Request,<br />\n' +
  '"<b><code>W</code></b>" Sending Reply, \n' +
  '"<b><code>K</code></b>" Keepalive (read), \n' +
  '"<b><code>D</code></b>" DNS Lookup,<br />\n' +
  '"<b><code>C</code></b>" Closing connection, \n' +
  '"<b><code>L</code></b>" Logging, \n' +
  '"<b><code>G</code></b>" Gracefully finishing,<br /> \n' +
  '"<b><code>I</code></b>" Idle cleanup of worker, \n' +
  '"<b><code>.</code></b>" Open slot with no current process<br />\n' +
  '</p>\n';

const TABLE_LEGEND =
  '</table>\n <hr /> <table>\n' +
  ' <tr><th>Srv</th><td>Child Server number - generation</td></tr>\n' +
  ' <tr><th>PID</th><td>OS process ID</td></tr>\n' +
  ' <tr><th>Acc</th><td>Number of accesses this connection / this child / this slot</td></tr>\n' +
  ' <tr><th>M</th><td>Mode of operation</td></tr>\n' +
  '<tr><th>CPU</th><td>CPU usage, number of seconds</td></tr>\n' +
  '<tr><th>SS</th><td>Seconds since beginning of most recent request</td></tr>\n' +
  ' <tr><th>Req</th><td>Milliseconds required to process most recent request</td></tr>\n' +
  ' <tr><th>Dur</th><td>Sum of milliseconds required to process all requests</td></tr>\n' +
  ' <tr><th>Conn</th><td>Kilobytes transferred this connection</td></tr>\n' +
  ' <tr><th>Child</th><td>Megabytes transferred this child</td></tr>\n' +
  ' <tr><th>Slot</th><td>Total megabytes transferred this slot</td></tr>\n' +
  ' </table>\n';

const MODE_WORDS: Readonly<Record<number, string>> = {
  [WorkerStatus.READY]: 'Ready',
  [WorkerStatus.STARTING]: 'Starting',
  [WorkerStatus.BUSY_READ]: '<b>Read</b>',
  [WorkerStatus.BUSY_WRITE]: '<b>Write</b>',
  [WorkerStatus.BUSY_KEEPALIVE]: '<b>Keepalive</b>',
  [WorkerStatus.BUSY_LOG]: '<b>Logging</b>',
  [WorkerStatus.BUSY_DNS]: '<b>DNS lookup</b>',
  [WorkerStatus.CLOSING]: '<b>Closing</b>',
  [WorkerStatus.DEAD]: 'Dead',
  [WorkerStatus.GRACEFUL]: 'Graceful',
  [WorkerStatus.IDLE_KILL]: 'Dying',
};

const MODE_CELLS: Readonly<Record<number, string>> = {
  [WorkerStatus.READY]: '_',
  [WorkerStatus.STARTING]: '<b>S</b>',
  [WorkerStatus.BUSY_READ]: '<b>R</b>',
  [WorkerStatus.BUSY_WRITE]: '<b>W</b>',
  [WorkerStatus.BUSY_KEEPALIVE]: '<b>K</b>',
  [WorkerStatus.BUSY_LOG]: '<b>L</b>',
  [WorkerStatus.BUSY_DNS]: '<b>D</b>',
  [WorkerStatus.CLOSING]: '<b>C</b>',
  [WorkerStatus.DEAD]: '.',
  [WorkerStatus.GRACEFUL]: 'G',
  [WorkerStatus.IDLE_KILL]: 'I',
};

function workerRow(s: StatusSnapshot, i: number, ws: WorkerSnapshot, processPid: number, processGeneration: number, notable: boolean): string {
  const tick = Math.fround(s.clockTicks ?? 100);
  const nowMicros = s.now.getTime() * 1000;
  let reqTime = ws.startTimeMicros === 0 ? 0 : msec(ws.stopTimeMicros - ws.startTimeMicros);
  if (reqTime < 0) reqTime = 0;
  const pid = ws.pid ? ws.pid : processPid;
  const generation = ws.pid ? ws.generation ?? processGeneration : processGeneration;
  const ss = Math.trunc((nowMicros - ws.lastUsedMicros) / 1_000_000);
  const dur = msec(ws.durationMicros);
  const t = ws.times;
  const request = escapeHtml(escapeLogItem(ws.request));
  if (notable) {
    const head = ws.status === WorkerStatus.DEAD
      ? `<b>Server ${i}-${generation}</b> (-): ${ws.connCount}|${ws.myAccessCount}|${ws.accessCount} [`
      : `<b>Server ${i}-${generation}</b> (${pid}): ${ws.connCount}|${ws.myAccessCount}|${ws.accessCount} [`;
    return (
      head + (MODE_WORDS[ws.status] ?? '?STATE?') +
      `] u${aprG(Math.fround(t.user / tick))} s${aprG(Math.fround(t.system / tick))} cu${aprG(Math.fround(t.childUser / tick))} cs${aprG(Math.fround(t.childSystem / tick))}` +
      `\n ${ss} ${reqTime} ${dur}(` +
      `${formatByteOut(ws.connBytes)}|${formatByteOut(ws.myBytesServed)}|${formatByteOut(ws.bytesServed)})\n` +
      ` <i>${escapeHtml(ws.client)} {${request}}</i> <i>(${escapeHtml(ws.protocol)})</i> <b>[${escapeHtml(ws.vhost)}]</b><br />\n\n`
    );
  }
  const head = ws.status === WorkerStatus.DEAD
    ? `<tr><td><b>${i}-${generation}</b></td><td>-</td><td>${ws.connCount}/${ws.myAccessCount}/${ws.accessCount}`
    : `<tr><td><b>${i}-${generation}</b></td><td>${pid}</td><td>${ws.connCount}/${ws.myAccessCount}/${ws.accessCount}`;
  const cpu = Math.fround((t.user + t.system + t.childUser + t.childSystem) / tick);
  return (
    head + `</td><td>${MODE_CELLS[ws.status] ?? '?'}` +
    `\n</td><td>${fixed(cpu, 2)}</td><td>${ss}</td><td>${reqTime}</td><td>${dur}` +
    `</td><td>${fixed(Math.fround(ws.connBytes / KBYTE), 1)}</td><td>${fixed(Math.fround(ws.myBytesServed / MBYTE), 2)}</td><td>${fixed(Math.fround(ws.bytesServed / MBYTE), 2)}\n` +
    `</td><td>${escapeHtml(ws.client)}</td><td>${escapeHtml(ws.protocol)}</td><td nowrap>${escapeHtml(ws.vhost)}</td>` +
    `<td nowrap>${request}</td></tr>\n\n`
  );
}

/**
 * The HTML page of /server-status; `notable` renders the per-worker details
 * as text blocks instead of a table (`?notable`).
 */
export function renderStatusHtml(s: StatusSnapshot, options: { notable?: boolean } = {}): string {
  const t = totals(s);
  const notable = options.notable ?? false;
  let out =
    DOCTYPE_HTML_4_01 +
    '<html><head>\n<title>Apache Status</title>\n</head><body>\n' +
    `<h1>Apache Server Status for ${escapeHtml(s.serverName)} (via ${s.localIp})</h1>\n\n` +
    `<dl><dt>Server Version: ${s.serverVersion}</dt>\n` +
    `<dt>Server MPM: ${s.mpm}</dt>\n` +
    `<dt>Server Built: ${s.serverBuilt}\n</dt></dl><hr /><dl>\n` +
    `<dt>Current Time: ${htTime(s, s.now)}</dt>\n` +
    `<dt>Restart Time: ${htTime(s, s.restartTime)}</dt>\n` +
    `<dt>Parent Server Config. Generation: ${s.configGeneration}</dt>\n` +
    `<dt>Parent Server MPM Generation: ${s.mpmGeneration}</dt>\n` +
    `<dt>Server uptime: ${showTime(t.upTime)}</dt>\n` +
    `<dt>Server load: ${fixed(s.loadAverage[0], 2)} ${fixed(s.loadAverage[1], 2)} ${fixed(s.loadAverage[2], 2)}</dt>\n`;
  if (s.extendedStatus) {
    const c = cpuFigures(s, t);
    out += `<dt>Total accesses: ${t.count} - Total Traffic: ${formatKbyteOut(t.kbcount)} - Total Duration: ${msec(t.durationMicros)}</dt>\n`;
    out += `<dt>CPU Usage: u${aprG(c.u)} s${aprG(c.s)} cu${aprG(c.cu)} cs${aprG(c.cs)}`;
    out += c.load !== undefined ? ` - ${aprG(c.load, 3)}% CPU load</dt>\n` : '</dt>\n';
    out += '<dt>';
    if (t.upTime > 0) {
      out += `${aprG(fdiv(t.count, t.upTime), 3)} requests/sec - `;
      out += formatByteOut(Math.trunc(fdiv(Math.fround(KBYTE * t.kbcount), t.upTime))) + '/second';
    }
    if (t.count > 0) {
      if (t.upTime > 0) out += ' - ';
      out += formatByteOut(Math.trunc(fdiv(Math.fround(KBYTE * t.kbcount), t.count)));
      out += `/request - ${aprG(fdiv(msec(t.durationMicros), t.count))} ms/request`;
    }
    out += '</dt>\n';
  }
  out += `<dt>${t.busy} requests currently being processed, ${t.graceful} workers gracefully restarting, ${t.idle} idle workers</dt>\n`;
  out += '</dl><pre>';
  let written = 0;
  for (const c of t.scoreboard) {
    if (c === DISABLED) continue;
    out += c;
    if (written % STATUS_MAXLINE === STATUS_MAXLINE - 1) out += '\n';
    written++;
  }
  out += '</pre>\n' + SCOREBOARD_KEY;
  if (!s.extendedStatus) {
    out += 'PID Key: <br />\n<pre>\n';
    let k = 0;
    let index = 0;
    s.processes.forEach((ps) => {
      ps.workers.forEach(() => {
        const c = t.scoreboard[index++];
        if (c === '.') return;
        out += `   ${ps.pid} in state: ${c} `;
        if (++k >= 3) {
          out += '\n';
          k = 0;
        } else {
          out += ',';
        }
      });
    });
    out += '\n</pre>\n';
    out += '<hr />To obtain a full report with current status information you need to use the <code>ExtendedStatus On</code> directive.\n';
  } else {
    out += notable
      ? '<hr /><h2>Server Details</h2>\n\n'
      : '\n\n<table border="0"><tr><th>Srv</th><th>PID</th><th>Acc</th><th>M</th><th>CPU\n</th>' +
        '<th>SS</th><th>Req</th><th>Dur</th><th>Conn</th><th>Child</th><th>Slot</th>' +
        '<th>Client</th><th>Protocol</th><th>VHost</th><th>Request</th></tr>\n\n';
    s.processes.forEach((ps, i) => {
      for (const ws of ps.workers) {
        if (ws.accessCount === 0 && (ws.status === WorkerStatus.READY || ws.status === WorkerStatus.DEAD)) continue;
        out += workerRow(s, i, ws, ps.pid, ps.generation, notable);
      }
    });
    if (!notable) out += TABLE_LEGEND;
  }
  out += s.signature ?? '';
  out += '</body></html>\n';
  return out;
}
