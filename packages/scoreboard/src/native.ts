/**
 * Types of the native addon (`build/Release/scoreboard.node`), the one place
 * where C meets TypeScript. The addon maps, unmaps and removes segments and
 * reports the compiler's layout of the scoreboard structs; nothing else.
 */

/** Kind of a segment as the addon takes it: 0 = POSIX `shm_open` name, 1 = regular file. */
export enum NativeKind {
  Shm = 0,
  File = 1,
}

/** How `map` opens: 0 = create with O_EXCL, 1 = attach to an existing one. */
export enum NativeOpenMode {
  CreateExclusive = 0,
  Attach = 1,
}

/** Offsets and sizes of one C struct, as `offsetof`/`sizeof` give them. */
export interface StructLayout {
  /** `sizeof(struct)`. */
  readonly size: number;
  /** `offsetof(struct, field)` by scoreboard.h field name (`times.tms_utime` for members of `times`). */
  readonly fields: Readonly<Record<string, number>>;
  /** `sizeof(field)` by the same names. */
  readonly fieldSizes: Readonly<Record<string, number>>;
}

/** What the addon's `layout()` returns. */
export interface NativeLayout {
  readonly global_score: StructLayout;
  readonly process_score: StructLayout;
  readonly worker_score: StructLayout;
  /** APR_ALIGN_DEFAULT's boundary, used by ap_calc_scoreboard_size. */
  readonly alignDefault: number;
}

/** An error thrown by the addon for a failed system call. */
export interface NativeErrnoError extends Error {
  code: string;
  errno: number;
  syscall: string;
  path: string;
}

/** The addon's exports. Each function validates its arguments and throws `TypeError("Usage: …")`. */
export interface NativeScoreboard {
  /** Opens or creates the segment, sizes it (create only) and maps it MAP_SHARED. */
  map(kind: NativeKind, path: string, size: number, openMode: NativeOpenMode, mode: number): ArrayBuffer;
  /** Unmaps a buffer returned by `map` and detaches it; false if it was already unmapped. */
  unmap(buffer: ArrayBuffer): boolean;
  /** `shm_unlink` or `unlink`; false if there was nothing to remove. */
  remove(kind: NativeKind, path: string): boolean;
  /** The compiler's layout of global_score, process_score and worker_score. */
  layout(): NativeLayout;
  /**
   * Creates an anonymous segment (`memfd_create`, close-on-exec), sized, with the
   * given permission bits; returns its fd. Absent from builds older than memfd support.
   */
  memfd?(name: string, size: number, mode: number): number;
}
