// A module written in JavaScript, loaded with:
//   LoadModule hello_module /path/to/hello-module.mjs
// It declares one directive (HelloGreeting, TAKE1, in server config or <Directory>/<Location>)
// and a handler hook for `SetHandler hello`.
import { OR_FILEINFO, RSRC_CONF, ACCESS_CONF, DECLINED } from '@prefork/core';

/** @type {import('@prefork/core').ModuleDef<undefined, { greeting?: string }>} */
export const helloModule = {
  name: 'hello_module',
  sourceFile: 'mod_hello.c',
  createDirConfig: () => ({}),
  mergeDirConfig: (base, add) => ({ greeting: add.greeting ?? base.greeting }),
  directives: [
    {
      name: 'HelloGreeting',
      arity: 'TAKE1',
      context: RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
      help: 'the text the hello handler answers with',
      set: (cmd, text) => {
        if (text.length > 200) return 'HelloGreeting must be at most 200 characters';
        cmd.dirConfig.greeting = text;
        return undefined;
      },
    },
  ],
  registerHooks: (hooks) => {
    // The request shape belongs to @prefork/conn-handler; this module only looks at `handler`.
    hooks.register('handler', 'mod_hello.c', (r) => (r && r.handler === 'hello' ? 200 : DECLINED));
  },
};

export default helloModule;
