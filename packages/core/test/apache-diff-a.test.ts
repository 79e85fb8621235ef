// 200 seeded mutations of the sample trees (seed 20261128) checked by apache2 -t and by loadServerConfig:
// the same verdict and first error. See apache-diff-run.ts.
import { apacheDiffFuzz } from './apache-diff-run.js';

apacheDiffFuzz(20261128, 200);
