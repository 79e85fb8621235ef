/**
 * The child's side of @prefork/core's child-protocol. Only types are imported from core:
 * loading core's index at run time costs a child more than a second of start-up on a busy
 * machine, while these constants are a handful of numbers. The annotations make the compiler
 * check every value against core's definitions, so they cannot drift.
 */
import type { CHILD_ENV as CoreChildEnv, ChildExit, FIRST_LISTENER_FD as CoreFirstListener, POD_FD as CorePod } from '@prefork/core';

export type { ChildBootstrap } from '@prefork/core';

export const CHILD_ENV: typeof CoreChildEnv = 'PREFORK_CHILD';
export const POD_FD: typeof CorePod = 3;
export const FIRST_LISTENER_FD: typeof CoreFirstListener = 4;

/** ChildExit values (APEXIT_*), typed as core's enum members. */
export const EXIT: { OK: ChildExit.OK; INIT: ChildExit.INIT; SICK: ChildExit.SICK; FATAL: ChildExit.FATAL } = {
  OK: 0,
  INIT: 0x3,
  SICK: 0x7,
  FATAL: 0xf,
};
