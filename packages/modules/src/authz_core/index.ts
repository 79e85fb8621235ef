export {
  AUTHZ_PROVIDERS,
  DEFAULT_AUTHZ_PROVIDERS,
  AuthzConfigError,
  checkAuthz,
  compileAuthz,
  describeAuthz,
  evaluateAuthz,
  inDomain,
  mergeAuthz,
} from './tree.js';
export type {
  AuthzItem,
  AuthzNode,
  AuthzNote,
  AuthzOp,
  AuthzProvider,
  AuthzRequest,
  AuthzRequire,
  AuthzResult,
  AuthzSection,
} from './tree.js';
