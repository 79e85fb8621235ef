export { writeConfigTree, type ConfigTree, type ConfigTreeOptions } from "./config-tree.js";
export { summarize, alternate, ratio, timeCommand, type Timing, type CommandResult } from "./measure.js";
