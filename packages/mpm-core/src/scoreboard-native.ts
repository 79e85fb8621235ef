/**
 * The master's scoreboard view over @prefork/scoreboard's shared segment (httpd's
 * scoreboard.h layout), the default for a real server.
 */
import { Scoreboard, aprTimeNow, processTimes, shmNameFor, type SegmentLocation } from '@prefork/scoreboard';
import type { MasterScoreboard, ServerStatus, SlotSnapshot } from './scoreboard-view.js';

export class NativeMasterScoreboard implements MasterScoreboard {
  readonly attachInfo: { name: string; file?: string };
  constructor(readonly sb: Scoreboard) {
    const loc = sb.location;
    this.attachInfo = loc.kind === 'file' ? { name: loc.path, file: loc.path } : { name: loc.name };
  }

  /** Creates the segment: at ScoreBoardFile when set, else a POSIX shm object named after `instanceKey`. */
  static create(serverLimit: number, scoreBoardFile: string | undefined, instanceKey: string): NativeMasterScoreboard {
    const location: SegmentLocation = scoreBoardFile ? { kind: 'file', path: scoreBoardFile } : { kind: 'shm', name: shmNameFor(instanceKey) };
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
