/**
 * The case format: what a `case.json` may say. A case is data only; the runner knows every step
 * kind and every comparison mode, so adding a case never needs code.
 */

/** A JSON value as read from case.json or written to expected.json. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** How one observed field is compared between the reference (Apache) and ours. */
export type CompareMode =
  | 'exact'
  | 'ignore'
  | 'set'
  | 'subset'
  | 'subsequence'
  | { mode: 'exact' | 'ignore' | 'set' | 'subset' | 'subsequence' }
  /** Both sides must match the pattern (JavaScript syntax, whole text, flags "s" unless given). */
  | { mode: 'regex'; pattern: string; flags?: string }
  /** Both sides must contain every listed line; nothing else is compared. */
  | { mode: 'contains'; lines: string[] }
  /** Numbers or [seconds, value] series: equal within ±value and (for series) ±time seconds. */
  | { mode: 'tolerance'; value?: number; time?: number };

/** An extra normalisation rule of a case: a regex replaced everywhere in that case's output. */
export interface ExtraRule {
  pattern: string;
  flags?: string;
  replace: string;
}

/** Fields common to every step. */
interface StepBase {
  /** Shown in reports; defaults to the step kind and its first argument. */
  name?: string;
  /** Seconds before the step is abandoned (and what it started is killed). Default 30. */
  timeout?: number;
  /** Comparison mode per observed field; a field not listed is compared exactly. */
  expect?: Record<string, CompareMode>;
}

/** Run the server binary with arguments and wait for it to exit: fields exit, stdout, stderr. */
export interface RunStep extends StepBase {
  run: string[];
  /** Text written to stdin (stdin is closed after it). */
  stdin?: string;
}

/** Start the server (its own session, process group = its pid) and wait until it listens. */
export interface StartStep extends StepBase {
  start: string[];
  /** Port to wait for (a placeholder such as "@PORT@"); default "@PORT@". */
  waitPort?: string;
  /** Do not wait for a port: wait for the process to exit and observe exit, stdout, stderr. */
  expectExit?: boolean;
}

/** One piece of a raw HTTP exchange: bytes to send, a pause, or a half-close. */
export type SendPart =
  | string
  | { sleep: number }
  | { halfClose: true }
  | { base64: string }
  /** The text repeated count times (long request lines and headers without a huge case.json). */
  | { repeat: string; count: number };

/** Send raw bytes on one connection and parse every response until the server closes. */
export interface HttpStep extends StepBase {
  http: {
    /** Port placeholder; default "@PORT@". */
    port?: string;
    send: SendPart[];
    /** Headers whose values are observed (the names of all headers are always observed, in order). */
    headers?: string[];
    /** How bodies are observed: the text (default), its sha256, its length only, or not at all. */
    body?: 'text' | 'sha256' | 'length' | 'none';
    /** Seconds to wait for the server to close after the last part was sent; default 8. */
    closeWait?: number;
    /**
     * Open this many connections at once, each sending the same parts; every observed field
     * becomes an array with one entry per connection. Default 1 (fields as for one connection).
     */
    connections?: number;
  };
  /**
   * Run the exchange in the background under this name: the step returns at once (observing
   * nothing) and a later `{"await": name}` step waits for it and observes its fields, so that
   * requests can be in flight while other steps (signals, child counts) happen.
   */
  background?: string;
}

/** Wait up to this many seconds for the started master to exit (no signal sent): fields exited, exit. */
export interface WaitExitStep extends StepBase {
  waitExit: number;
}

/** Wait for a background http step and observe its fields (as the http step would have). */
export interface AwaitStep extends StepBase {
  await: string;
}

/** Sample the number of children of the master every interval for some seconds: field series. */
export interface ChildrenStep extends StepBase {
  children: { seconds: number; interval?: number };
}

/** Send a signal to the master; optionally wait for it to exit (fields exited, exit). */
export interface SignalStep extends StepBase {
  signal: 'USR1' | 'HUP' | 'WINCH' | 'TERM' | 'INT' | 'KILL';
  /** Seconds to wait afterwards. */
  wait?: number;
  /** Seconds to wait for the master to exit; observes fields exited and exit. */
  waitExit?: number;
}

/** A signal one child process of the master may be sent. */
export const CHILD_SIGNALS = ['KILL', 'SEGV', 'TERM', 'HUP', 'USR1', 'INT', 'ABRT', 'BUS'] as const;
export type ChildSignal = (typeof CHILD_SIGNALS)[number];

/**
 * Send a signal to one child of the master (the one that started first): field signalled
 * (false when the master had no child). A child killed this way shows how the master reaps and
 * replaces it (AH00052 for a signal, the child count returning).
 */
export interface SignalChildStep extends StepBase {
  signalChild: ChildSignal;
  /** Seconds to wait afterwards. */
  wait?: number;
}

/**
 * The credentials of the master and of its children, from /proc/<pid>/status: field master
 * ("uid R E S F, gid R E S F, groups …") and field children (the distinct credentials of the
 * live children, sorted; [] without children).
 */
export interface CredentialsStep extends StepBase {
  credentials: Record<string, never>;
}

/** Read a log file: field lines (normalised), optionally filtered and reduced. */
export interface LogStep extends StepBase {
  /** Path relative to the ServerRoot; defaults to logs/error_log or logs/access_log. */
  file?: string;
  /** Keep only lines matching this regex (after normalisation). */
  match?: string;
  /** "ah": reduce each line to its AH id and text, dropping the bracketed prefix. */
  format?: 'full' | 'ah';
  /** Seconds to wait first, so that late lines are there. */
  settle?: number;
  /** Seconds to keep re-reading the file until at least one (matching) line is there. */
  until?: number;
  /** With `until`: keep re-reading until at least this many (matching) lines are there. */
  atLeast?: number;
}

/** The error log. */
export interface ErrorLogStep extends LogStep {
  errorlog: LogStep | Record<string, never>;
}

/** The access log. */
export interface AccessLogStep extends LogStep {
  accesslog: LogStep | Record<string, never>;
}

/**
 * Read the pid file: fields exists, isMaster (its pid is the started master's). `goneWithin`:
 * first wait up to that many seconds for the file to go (a removal the server makes on a signal).
 */
export interface PidfileStep extends StepBase {
  pidfile: { file?: string; goneWithin?: number };
}

/** Fetch /server-status?auto: fields keys (in order) and values of the named keys. */
export interface StatusStep extends StepBase {
  status: { port?: string; path?: string; values?: string[] };
}

/** Collected stdout/stderr of the started server so far: fields stdout, stderr. */
export interface ServerOutputStep extends StepBase {
  serverOutput: { settle?: number };
}

/** Wait. */
export interface SleepStep extends StepBase {
  sleep: number;
}

/** One step of a case. */
export type Step =
  | RunStep
  | StartStep
  | HttpStep
  | ChildrenStep
  | SignalStep
  | ErrorLogStep
  | AccessLogStep
  | PidfileStep
  | StatusStep
  | ServerOutputStep
  | SleepStep
  | AwaitStep
  | WaitExitStep
  | SignalChildStep
  | CredentialsStep;

/** The names of step kinds, each the key that marks a step as that kind. */
export const STEP_KINDS = [
  'run',
  'start',
  'http',
  'children',
  'signal',
  'errorlog',
  'accesslog',
  'pidfile',
  'status',
  'serverOutput',
  'sleep',
  'await',
  'waitExit',
  'signalChild',
  'credentials',
] as const;

/** A step kind. */
export type StepKind = (typeof STEP_KINDS)[number];

/** case.json. */
export interface CaseSpec {
  description?: string;
  /**
   * Folders (relative to the fixtures root) whose contents are laid down in the ServerRoot
   * before the case's own `root/` folder, e.g. "_shared/base" for conf/base-common.inc.
   */
  layers?: string[];
  /** Files to write in the ServerRoot: relative path → template text. */
  files?: Record<string, string>;
  /**
   * Modification times to set on laid-down files after placeholders were substituted: relative
   * path → ISO date or seconds since the epoch (Last-Modified and ETag then do not vary by run).
   */
  mtimes?: Record<string, string | number>;
  /** Symbolic links to make in the ServerRoot once it is laid down: path → target (as written, relative allowed). */
  symlinks?: Record<string, string>;
  /** Arguments put before every run/start step's own arguments. */
  args?: string[];
  /** Environment added to both servers' environment. */
  env?: Record<string, string>;
  /** Extra normalisation rules for this case (applied after the standard ones). */
  normalise?: ExtraRule[];
  /** Why this case is not run by default (counted as skipped). */
  skip?: string;
  /** Skipped, with that reason, when the runner is not root (cases about User/Group). */
  requiresRoot?: boolean;
  /**
   * Run this case alone, after the parallel ones: its observations (child-count time series)
   * depend on the machine not being busy with other cases.
   */
  exclusive?: boolean;
  steps: Step[];
}

/** area.json: settings shared by every case of an area. */
export interface AreaSpec {
  /** Why the cases of this area are not run by default (counted as skipped). */
  skip?: string;
  /** Every case of the area runs alone (see CaseSpec.exclusive). */
  exclusive?: boolean;
}

/** A loaded case. */
export interface LoadedCase {
  /** "<area>/<case>". */
  id: string;
  area: string;
  name: string;
  dir: string;
  spec: CaseSpec;
  /** Reason this case is skipped by default, from the case or its area. */
  skip?: string;
  /** Runs alone, after the parallel cases (from the case or its area). */
  exclusive?: boolean;
}

/** What one step observed on one side: field → value (already normalised). */
export type Observation = Record<string, Json>;

/** The observations of a whole case on one side. */
export interface CaseObservations {
  steps: Observation[];
  /** Set when the side could not be run at all (binary missing, setup failed). */
  error?: string;
}

/** expected.json: Apache's normalised observations of a case. */
export interface Recorded {
  /** `apache2 -v`'s first line when recorded. */
  recordedWith: string;
  steps: Observation[];
}
