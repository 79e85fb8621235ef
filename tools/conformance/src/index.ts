/**
 * @prefork/conformance: runs the same cases against real Apache and against prefork, and
 * compares what they print, log and answer. The command is dist/cli.js; this is its API.
 */
export * from './types.js';
export { normaliseText, normaliseJson, reduceToAh, STANDARD_RULES, type NormaliseContext, type Rule } from './normalise.js';
export { compareField, compareObservation, jsonEqual, asLines, validateMode, MODE_NAMES, type FieldMismatch } from './compare.js';
export { diffLines, splitLines } from './diff.js';
export { loadCases, validateCase, globToRegExp, selected, type BrokenCase } from './case-loader.js';
export { parseResponses, requestMethods, exchange, sha256, type ParsedResponse, type ExchangeResult } from './http-exchange.js';
export { PortAllocator } from './ports.js';
export { countChildren, processesOfRun, stopAll, isAlive, waitForPort, startProcess, type Started } from './processes.js';
export { runSide, prepareRoot, placeholders, substitute, describeStep, type Side, type SideRun, type SideRunOptions } from './run-side.js';
export { runSuite, diffCase, referenceAvailable, type RunMode, type SuiteOptions, type SuiteResult, type CaseResult } from './runner.js';
