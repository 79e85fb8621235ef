import t from 'tap';
import {
  initialSpawnState,
  performIdleServerMaintenance,
  ServerStatus,
  type MaintenanceLimits,
  type SpawnState,
} from '../src/index.js';

/**
 * A one-cycle-per-second model of the server: children spawned in a cycle are READY by the
 * next one (they start in well under a second); `busy` connections each occupy one child;
 * an idle kill takes one READY child away before the next cycle.
 */
class Sim {
  statuses: ServerStatus[];
  state: SpawnState = initialSpawnState();
  logs: string[] = [];
  constructor(readonly limits: MaintenanceLimits, start: number, slots = limits.daemonsLimit) {
    this.statuses = Array<ServerStatus>(slots).fill(ServerStatus.DEAD);
    for (let i = 0; i < start; i++) this.statuses[i] = ServerStatus.READY;
    this.state.maxDaemonsLimit = start;
  }
  get children(): number {
    return this.statuses.filter((s) => s !== ServerStatus.DEAD).length;
  }
  setBusy(n: number): void {
    let left = n;
    this.statuses = this.statuses.map((s) => {
      if (s === ServerStatus.DEAD) return s;
      if (left > 0) {
        left--;
        return ServerStatus.BUSY_READ;
      }
      return ServerStatus.READY;
    });
  }
  cycle(busy = 0): number {
    this.setBusy(busy);
    const a = performIdleServerMaintenance(this.statuses, this.limits, this.state);
    this.state = a.next;
    for (const l of a.log) this.logs.push(`${l.id}: ${l.message}`);
    for (const slot of a.spawn) {
      if (this.statuses[slot] !== ServerStatus.DEAD) throw new Error(`spawn into busy slot ${slot}`);
      this.statuses[slot] = ServerStatus.STARTING;
    }
    if (a.killOneIdleInBucket !== undefined) {
      const victim = this.statuses.lastIndexOf(ServerStatus.READY);
      if (victim >= 0) this.statuses[victim] = ServerStatus.DEAD;
    }
    this.statuses = this.statuses.map((s) => (s === ServerStatus.STARTING ? ServerStatus.READY : s));
    return this.children;
  }
}

t.test('idle ramp: StartServers 1, Min 40, Max 50 (captures/2a-idle-ramp)', async (t) => {
  const sim = new Sim({ daemonsLimit: 150, minSpare: 40, maxSpare: 50, numBuckets: 1 }, 1);
  const counts = [1];
  for (let i = 0; i < 9; i++) counts.push(sim.cycle());
  t.same(counts, [1, 2, 4, 8, 16, 32, 64, 63, 62, 61], 'doubles each second up to 32 per second, then one idle kill per second');
  t.same(
    sim.logs,
    [8, 16, 32].map(
      (n) =>
        `AH00162: server seems busy, (you may need to increase StartServers, or Min/MaxSpareServers), spawning ${n} children, there are ${n} idle, and ${n} total children`,
    ),
    'AH00162 only at rates of 8 and more',
  );
});

t.test('idle decay: StartServers 12, Min 2, Max 4 (captures/2a-idle-decay)', async (t) => {
  const sim = new Sim({ daemonsLimit: 150, minSpare: 2, maxSpare: 4, numBuckets: 1 }, 12);
  const counts = [12];
  for (let i = 0; i < 10; i++) counts.push(sim.cycle());
  t.same(counts, [12, 11, 10, 9, 8, 7, 6, 5, 4, 4, 4]);
  t.same(sim.logs, []);
});

t.test('40 held connections, Min 5, Max 10, MaxRequestWorkers 64 (captures/2d-ramp-N40)', async (t) => {
  const sim = new Sim({ daemonsLimit: 64, minSpare: 5, maxSpare: 10, numBuckets: 1 }, 1);
  const pre = [1];
  for (let i = 0; i < 5; i++) pre.push(sim.cycle());
  t.same(pre, [1, 2, 4, 8, 8, 8], 'idle ramp stops at 8 children: 8 idle is within [5, 10]');
  const hold = [sim.children];
  for (let i = 0; i < 9; i++) hold.push(sim.cycle(40));
  t.same(hold, [8, 9, 11, 15, 23, 39, 64, 63, 62, 61], 'captured: 8, 9, 11, 15, 23, 39, (46,) 64, then -1/s');
  t.same(
    sim.logs,
    [
      [8, 15],
      [16, 23],
      [32, 39],
    ].map(
      ([n, total]) =>
        `AH00162: server seems busy, (you may need to increase StartServers, or Min/MaxSpareServers), spawning ${n} children, there are 0 idle, and ${total} total children`,
    ),
    'the three AH00162 lines of captures/2d-ramp.error_log',
  );
  let n = sim.children;
  while (n > 50) n = sim.cycle(40);
  t.equal(sim.cycle(40), 50, 'held at 40 busy + 10 spare');
  t.equal(sim.cycle(0), 49, 'released: decay continues one per second');
});

t.test('MaxRequestWorkers reached: AH00161 once, spawn rate back to 1', async (t) => {
  const sim = new Sim({ daemonsLimit: 4, minSpare: 2, maxSpare: 3, numBuckets: 1 }, 4);
  sim.cycle(4);
  sim.cycle(4);
  t.same(sim.logs, ['AH00161: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting']);
  t.equal(sim.state.idleSpawnRate, 1);
  t.equal(sim.state.maxclientsReported, true);
});

t.test('hold-off after a graceful restart keeps the rate from doubling', async (t) => {
  const statuses = Array<ServerStatus>(20).fill(ServerStatus.DEAD);
  const state = { ...initialSpawnState(), idleSpawnRate: 2, holdOffOnExponentialSpawning: 10 };
  const a = performIdleServerMaintenance(statuses, { daemonsLimit: 20, minSpare: 5, maxSpare: 10, numBuckets: 1 }, state);
  t.same(a.spawn, [0, 1], 'lowest free slots, as many as the rate');
  t.equal(a.next.idleSpawnRate, 2, 'not doubled');
  t.equal(a.next.holdOffOnExponentialSpawning, 9);
  t.equal(a.next.maxDaemonsLimit, 2, 'make_child raises max_daemons_limit');
});

t.test('starting children count as idle; GRACEFUL ones as busy', async (t) => {
  const statuses = [ServerStatus.STARTING, ServerStatus.STARTING, ServerStatus.GRACEFUL, ServerStatus.DEAD];
  const a = performIdleServerMaintenance(statuses, { daemonsLimit: 4, minSpare: 2, maxSpare: 3, numBuckets: 1 }, { ...initialSpawnState(), maxDaemonsLimit: 3 });
  t.equal(a.idleCount, 2);
  t.equal(a.totalNonDead, 3);
  t.same(a.spawn, []);
  t.equal(a.next.maxDaemonsLimit, 3);
});

t.test('ours: a cycle waits for children still starting instead of resetting the spawn rate', async (t) => {
  const limits = { daemonsLimit: 64, minSpare: 5, maxSpare: 10, numBuckets: 1 };
  const S = ServerStatus;
  const of = (...runs: [ServerStatus, number][]): ServerStatus[] => {
    const out: ServerStatus[] = runs.flatMap(([s, n]) => Array<ServerStatus>(n).fill(s));
    return out.concat(Array<ServerStatus>(64 - out.length).fill(S.DEAD));
  };
  const state = { ...initialSpawnState(), idleSpawnRate: 16, maxDaemonsLimit: 23 };
  // 15 busy, the 8 spawned last cycle still starting: MinSpare is reached only through them.
  let a = performIdleServerMaintenance(of([S.BUSY_READ, 15], [S.STARTING, 8]), limits, state);
  t.same([a.spawn, a.next.idleSpawnRate, a.killOneIdleInBucket], [[], 16, undefined], 'no spawn, rate kept (prefork.c would reset it to 1)');
  // 16 starting are over MaxSpare only because they are starting: no kill either.
  a = performIdleServerMaintenance(of([S.BUSY_READ, 23], [S.STARTING, 16]), limits, { ...state, idleSpawnRate: 32, maxDaemonsLimit: 39 });
  t.same([a.spawn, a.next.idleSpawnRate, a.killOneIdleInBucket], [[], 32, undefined], 'no kill, rate kept');
  // With ready idle children enough on their own, prefork.c's rule stands.
  a = performIdleServerMaintenance(of([S.BUSY_READ, 15], [S.READY, 5], [S.STARTING, 3]), limits, state);
  t.equal(a.next.idleSpawnRate, 1, 'five ready idle children: the rate resets');
  a = performIdleServerMaintenance(of([S.READY, 11], [S.STARTING, 2]), limits, state);
  t.equal(a.killOneIdleInBucket, 0, 'eleven ready idle children: one is killed');
  a = performIdleServerMaintenance(of([S.STARTING, 12]), limits, state);
  t.same([a.killOneIdleInBucket, a.next.idleSpawnRate], [0, 1], 'twelve starting and none busy (a decay after start-up): killed as in prefork.c');

  // Children that take two cycles to start still ramp 8, 16, 32 under 40 held connections.
  let statuses = of([S.READY, 8]);
  const age = Array<number>(64).fill(0);
  let st: SpawnState = { ...initialSpawnState(), maxDaemonsLimit: 8 };
  const spawned: number[] = [];
  for (let cycle = 0; cycle < 12; cycle++) {
    let held = 40;
    statuses = statuses.map((s) => ((s === S.READY || s === S.BUSY_READ) && held-- > 0 ? S.BUSY_READ : s));
    const r = performIdleServerMaintenance(statuses, limits, st);
    st = r.next;
    if (r.spawn.length) spawned.push(r.spawn.length);
    for (const slot of r.spawn) [statuses[slot], age[slot]] = [S.STARTING, 0];
    statuses = statuses.map((s, i) => (s === S.STARTING && ++age[i] >= 2 ? S.READY : s));
  }
  t.same(spawned, [1, 2, 4, 8, 16, 25], 'the spawn rate doubles as with children that start at once, up to MaxRequestWorkers (64)');
});

t.test('ours: connections waiting in the accept queue make starting children count as busy', async (t) => {
  const S = ServerStatus;
  const limits = { daemonsLimit: 64, minSpare: 5, maxSpare: 10, numBuckets: 1 };
  const state: SpawnState = { ...initialSpawnState(), idleSpawnRate: 4, maxDaemonsLimit: 16 };
  const statuses = [...Array<ServerStatus>(8).fill(S.BUSY_READ), ...Array<ServerStatus>(8).fill(S.STARTING)];
  const without = performIdleServerMaintenance(statuses, limits, state);
  t.same([without.spawn.length, without.next.idleSpawnRate], [0, 4], 'nothing known waiting: the cycle waits for the starting eight');
  const queued = performIdleServerMaintenance(statuses, limits, state, 10);
  t.equal(queued.idleCount, 0, 'eight starting, ten waiting: none of them will be idle');
  t.same([queued.spawn.length, queued.next.idleSpawnRate], [4, 8], 'so the ramp goes on at once');
  const few = performIdleServerMaintenance(statuses, limits, state, 2);
  t.same([few.idleCount, few.spawn.length], [6, 0], 'two waiting leave six idle, within MinSpare: no spawn');
  const many = performIdleServerMaintenance(Array<ServerStatus>(16).fill(S.READY), limits, { ...state, idleSpawnRate: 1 }, 12);
  t.same([many.idleCount, many.killOneIdleInBucket, many.spawn.length], [16, 0, 0],
    'sixteen ready and idle: the twelve waiting are taken and answered in a moment, counted as prefork.c counts');
  const startup = performIdleServerMaintenance(Array<ServerStatus>(3).fill(S.STARTING), { ...limits, minSpare: 3, maxSpare: 5 }, initialSpawnState(), 1);
  t.same([startup.idleCount, startup.spawn.length], [3, 0], 'three starting, none busy, one stray connection: no spare added for it');

  // Children that take three cycles to start, 40 connections held: one spawn every cycle, as
  // Apache's (8, 9, 11, 15, 23, 39, 64), because the connections not yet taken are waiting.
  let sts = Array<ServerStatus>(8).fill(S.READY);
  const age = Array<number>(64).fill(0);
  let st: SpawnState = { ...initialSpawnState(), maxDaemonsLimit: 8 };
  const counts: number[] = [8];
  for (let cycle = 0; cycle < 6; cycle++) {
    let held = 40;
    sts = sts.map((x) => ((x === S.READY || x === S.BUSY_READ) && held-- > 0 ? S.BUSY_READ : x));
    const r = performIdleServerMaintenance(sts, limits, st, Math.max(0, held));
    st = r.next;
    for (const slot of r.spawn) [sts[slot], age[slot]] = [S.STARTING, 0];
    sts = sts.map((x, i) => (x === S.STARTING && ++age[i] >= 3 ? S.READY : x));
    counts.push(sts.filter((x) => x !== S.DEAD && x !== undefined).length);
  }
  t.same(counts, [8, 9, 11, 15, 23, 39, 64]);
});

t.test('idle kills go round-robin over buckets', async (t) => {
  const statuses = Array<ServerStatus>(8).fill(ServerStatus.READY);
  const limits = { daemonsLimit: 8, minSpare: 1, maxSpare: 2, numBuckets: 2 };
  let state = { ...initialSpawnState(), maxDaemonsLimit: 8 };
  const buckets: Array<number | undefined> = [];
  for (let i = 0; i < 3; i++) {
    const a = performIdleServerMaintenance(statuses, limits, state);
    buckets.push(a.killOneIdleInBucket);
    state = a.next;
  }
  t.same(buckets, [0, 1, 0]);
});
