export { writeConfigTree, type ConfigTree, type ConfigTreeOptions } from "./config-tree.js";
export { summarize, alternate, ratio, timeCommand, type Timing, type CommandResult } from "./measure.js";
export { benchHttp, freePort, type Measurement, type HttpBenchOptions } from './http.js';
export { startServer, childrenOf, waitForChildren, writeBenchRoot, type ServerKind, type RunningServer } from './server.js';
export { parseWrk, parseAb, toMs, wrk, ab, type LoadResult } from './load.js';
export { memoryOf, median } from './memory.js';
