/**
 * The master's scoreboard view over @prefork/scoreboard's shared segment (httpd's
 * scoreboard.h layout), the default for a real server.
 */
import { Scoreboard, aprTimeNow, inheritedFdPath, processTimes, segmentPath, shmNameFor, type SegmentLocation } from '@prefork/scoreboard';
import type { MasterScoreboard, ServerStatus, SlotSnapshot } from './scoreboard-view.js';

export class NativeMasterScoreboard implements MasterScoreboard {
  readonly attachInfo: { name: string; file?: string };
  readonly inheritFd: number | undefined;
  constructor(readonly sb: Scoreboard) {
    const loc = sb.location;
    this.inheritFd = sb.fd;
    // A memfd's own path serves the master itself (ONE_PROCESS); children get theirs at spawn.
    this.attachInfo =
      loc.kind === 'file' ? { name: loc.path, file: loc.path }
      : loc.kind === 'memfd' ? { name: segmentPath(loc), file: inheritedFdPath(sb.fd!) }
      : { name: loc.name };
  }

  /**
   * Creates the segment: at ScoreBoardFile when set (a named file, as Apache's); else anonymous
   * shared memory, as Apache's default on Linux: a memfd the children inherit, which no kill
   * can leave behind. With an addon build that lacks memfd, a POSIX shm object named after
   * `instanceKey` (found and replaced at the next start if a killed master leaves it).
   */
  static create(serverLimit: number, scoreBoardFile: string | undefined, instanceKey: string): NativeMasterScoreboard {
    const location: SegmentLocation = scoreBoardFile
      ? { kind: 'file', path: scoreBoardFile }
      : Scoreboard.memfdSupported()
        ? { kind: 'memfd', name: 'prefork-scoreboard' }
        : { kind: 'shm', name: shmNameFor(instanceKey) };
    return new NativeMasterScoreboard(Scoreboard.create({ location, serverLimit, threadLimit: 1, mode: 0o600 }));
  }

  get slots(): number { return this.sb.serverLimit; }
  status(slot: number): ServerStatus { return this.sb.worker(slot, 0).status; }
  setStatus(slot: number, status: ServerStatus): void { this.sb.worker(slot, 0).status = status; }
  pid(slot: number): number { return this.sb.process(slot).pid; }
  setPid(slot: number, pid: number): void { this.sb.process(slot).pid = pid; }
  generation(slot: number): number { return this.sb.process(slot).generation; }
  setGeneration(slot: number, generation: number): void { this.sb.process(slot).generation = generation; }
  quiescing(slot: number): boolean { return this.sb.process(slot).quiescing; }
  runningGeneration(): number { return this.sb.global.runningGeneration; }
  /** A new generation: also the restart time `/server-status` shows (ap_create_scoreboard). */
  setRunningGeneration(generation: number): void {
    this.sb.global.runningGeneration = generation;
    this.sb.global.restartTime = aprTimeNow();
  }
  updateGlobalTimes(): void { this.sb.global.times = processTimes(); }
  snapshot(): SlotSnapshot[] {
    const s = this.sb.snapshot();
    const out: SlotSnapshot[] = [];
    for (let i = 0; i < s.serverLimit; i++) {
      out.push({ status: s.status[i * s.threadLimit] as ServerStatus, pid: s.pid[i], generation: s.generation[i], quiescing: s.quiescing[i] !== 0 });
    }
    return out;
  }
  clear(): void { this.sb.resetForRestart(); }
  destroy(): void { this.sb.destroy(); }
}
