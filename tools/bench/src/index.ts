export { writeConfigTree, type ConfigTree, type ConfigTreeOptions } from "./config-tree.js";
export { summarize, alternate, ratio, timeCommand, type Timing, type CommandResult } from "./measure.js";
export { benchHttp, freePort, planOf, type Measurement, type HttpBenchOptions, type BenchMode, type Pool } from './http.js';
export { startServer, childrenOf, waitForChildren, writeBenchRoot, killAllServers, type ServerKind, type RunningServer } from './server.js';
export { parseWrk, parseAb, toMs, wrk, ab, type LoadResult } from './load.js';
export { memoryOf, median } from './memory.js';
export { renderTable, renderResults, replaceReadmeBlock, readmeBlockFor, latestResults, writeResults, targetOf, type RunInfo } from './report.js';
