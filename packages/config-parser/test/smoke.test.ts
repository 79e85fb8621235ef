import t from 'tap';
import * as m from '../src/index.js';
t.equal(typeof m, 'object');
