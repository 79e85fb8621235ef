/**
 * prefork.c's perform_idle_server_maintenance as a pure function: a scoreboard snapshot and
 * the retained spawn state in, the actions for this one-second cycle out. The run loop
 * performs the actions; tests replay measured trajectories without processes.
 */
import { MAX_SPAWN_RATE } from '../config/settings.js';
import { preforkLog, type MpmLogRecord } from '../logging.js';
import { ServerStatus } from '../scoreboard-view.js';

/** The part of the retained state idle maintenance reads and writes. */
export interface SpawnState {
  /** Children to spawn next cycle when short of idle ones; doubles up to MAX_SPAWN_RATE. */
  idleSpawnRate: number;
  /** Cycles left during which the rate must not double (set to 10 after a graceful restart). */
  holdOffOnExponentialSpawning: number;
  /** One past the highest slot in use; bounds scoreboard scans. */
  maxDaemonsLimit: number;
  /** AH00161 is logged once per server lifetime. */
  maxclientsReported: boolean;
  /** Round-robin over buckets for the next idle kill. */
  bucketKillChildRecord: number;
}

export function initialSpawnState(): SpawnState {
  return { idleSpawnRate: 1, holdOffOnExponentialSpawning: 0, maxDaemonsLimit: 0, maxclientsReported: false, bucketKillChildRecord: -1 };
}

/** The limits in force this generation (after prefork_check_config and the bucket clamps). */
export interface MaintenanceLimits {
  daemonsLimit: number;
  minSpare: number;
  maxSpare: number;
  numBuckets: number;
}

export interface MaintenanceActions {
  /** Slots to start children in, lowest first. */
  spawn: number[];
  /** Bucket whose pipe of death gets one byte (and a dummy connection); undefined = none. */
  killOneIdleInBucket?: number;
  log: MpmLogRecord[];
  next: SpawnState;
  /** For diagnostics and tests: what the cycle counted (idle less the connections waiting). */
  idleCount: number;
  totalNonDead: number;
}

/**
 * One maintenance cycle. `statuses[i]` is slot i's worker status; `waiting` is the number of
 * connections in the listeners' accept queues, undefined when it cannot be read.
 */
export function performIdleServerMaintenance(
  statuses: readonly ServerStatus[],
  limits: MaintenanceLimits,
  state: SpawnState,
  waiting?: number,
): MaintenanceActions {
  const next: SpawnState = { ...state };
  const freeSlots: number[] = [];
  let idleCount = 0;
  let startingCount = 0;
  let lastNonDead = -1;
  let totalNonDead = 0;

  for (let i = 0; i < limits.daemonsLimit; ++i) {
    // Past the highest slot ever used, only free slots remain: stop once we have enough.
    if (i >= state.maxDaemonsLimit && freeSlots.length === state.idleSpawnRate) break;
    const status = statuses[i] ?? ServerStatus.DEAD;
    if (status === ServerStatus.DEAD) {
      if (freeSlots.length < state.idleSpawnRate) freeSlots.push(i);
    } else {
      // A child still starting counts as idle: it was started at least a cycle ago, and
      // spawning more for it would only swamp the machine further.
      if (status <= ServerStatus.READY) ++idleCount;
      if (status === ServerStatus.STARTING) ++startingCount;
      ++totalNonDead;
      lastNonDead = i;
    }
  }
  next.maxDaemonsLimit = lastNonDead + 1;

  // Ours: while every ready child is busy, each connection waiting in an accept queue will
  // take an idle child, a starting one included. Apache's children are ready within
  // milliseconds of the fork, so there these connections would already have made them busy
  // and prefork.c would count them so; counting them here keeps a ramp under load doubling
  // (1, 2, 4 … 32) on Apache's schedule while the children started last cycle are still
  // starting. With a ready child idle, or none busy (children starting, a stray connection),
  // the connections are about to be taken and answered: they change nothing.
  const rawIdle = idleCount;
  const readyIdle = rawIdle - startingCount;
  const busy = totalNonDead - rawIdle;
  if (waiting !== undefined && readyIdle === 0 && busy > 0) idleCount = Math.max(0, idleCount - waiting);

  const actions: MaintenanceActions = { spawn: [], log: [], next, idleCount, totalNonDead };

  // Ours, not prefork.c's, for when the accept queue's length is unknown: an Apache child is
  // READY within milliseconds, so at the next cycle the ones started last cycle are idle or
  // already busy. A Node child takes about a second (more on a busy machine). When the count only reaches MinSpare thanks to children still
  // starting, or only crosses MaxSpare thanks to them while the ready ones are all busy (a
  // ramp: the new children will be busy too), the cycle waits for them: no spawn, no kill, and
  // the spawn rate is kept rather than reset, so a ramp under load doubles (8, 16, 32) as
  // Apache's does instead of starting over at 1. With no child busy (a decay after start-up)
  // prefork.c's kill stands: the pod byte waits for the first child to reach its loop.
  // Only without the queue's length: with it, the count above already says what the starting
  // children will face, and the cycle decides as prefork.c's would.
  const waitForStarting =
    waiting === undefined &&
    startingCount > 0 &&
    (idleCount > limits.maxSpare ? readyIdle === 0 && busy > 0 : idleCount >= limits.minSpare && readyIdle < limits.minSpare);
  if (waitForStarting) return actions;

  if (idleCount > limits.maxSpare) {
    // One child per cycle, through the pod so that a child which just picked up a
    // connection finishes it first.
    next.bucketKillChildRecord = (state.bucketKillChildRecord + 1) % limits.numBuckets;
    actions.killOneIdleInBucket = next.bucketKillChildRecord;
    next.idleSpawnRate = 1;
  } else if (idleCount < limits.minSpare) {
    if (freeSlots.length === 0) {
      if (!state.maxclientsReported) {
        actions.log.push(
          preforkLog('error', 'AH00161', 'server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting'),
        );
        next.maxclientsReported = true;
      }
      next.idleSpawnRate = 1;
    } else {
      if (state.idleSpawnRate >= 8) {
        actions.log.push(
          preforkLog(
            'info',
            'AH00162',
            'server seems busy, (you may need to increase StartServers, or Min/MaxSpareServers), ' +
              `spawning ${state.idleSpawnRate} children, there are ${idleCount} idle, and ${totalNonDead} total children`,
          ),
        );
      }
      actions.spawn = freeSlots;
      // make_child raises max_daemons_limit for each slot it fills.
      next.maxDaemonsLimit = Math.max(next.maxDaemonsLimit, freeSlots[freeSlots.length - 1] + 1);
      if (state.holdOffOnExponentialSpawning > 0) {
        next.holdOffOnExponentialSpawning = state.holdOffOnExponentialSpawning - 1;
      } else if (state.idleSpawnRate < MAX_SPAWN_RATE) {
        next.idleSpawnRate = state.idleSpawnRate * 2;
      }
    }
  } else {
    next.idleSpawnRate = 1;
  }
  return actions;
}
