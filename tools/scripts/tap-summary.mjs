// A tap reporter for CI logs: one line per test file, the diagnostics of every failure,
// and a closing `<package>: N passed, N failed` line that tools/scripts/test-all.mjs sums.
// Counted are leaf assertions; a subtest or file that fails with no failing leaf under it
// (a crash, a timeout, a bad plan) counts as one failure.
import { Transform } from 'node:stream';
import { basename } from 'node:path';
import { Parser } from 'tap-parser';

const pkgName = basename(process.cwd());

export default class TapSummary extends Transform {
  constructor() {
    super();
    this.parser = new Parser();
    this.totals = { pass: 0, fail: 0, skip: 0, todo: 0 };
    this.started = Date.now();
    this.watch(this.parser, [], this.totals, 0);
    this.parser.on('complete', () => {
      const t = this.totals;
      let line = `${pkgName}: ${t.pass} passed, ${t.fail} failed`;
      if (t.skip) line += `, ${t.skip} skipped`;
      if (t.todo) line += `, ${t.todo} todo`;
      // The time is for the CI log (where does a run's half hour go); nothing asserts it.
      this.push(`${line} (${((Date.now() - this.started) / 1000).toFixed(0)} s)\n`);
    });
  }

  watch(parser, path, counts, depth) {
    const openChildren = [];
    parser.on('child', (child) => {
      const childCounts = { pass: 0, fail: 0, skip: 0, todo: 0 };
      openChildren.push(childCounts);
      this.watch(child, path.concat(child.name || ''), childCounts, depth + 1);
    });
    parser.on('assert', (res) => {
      const closing = openChildren.shift();
      if (closing) {
        // The point that closes a subtest: its leaves were counted in `closing`.
        if (!res.ok && !res.skip && !res.todo && closing.fail === 0) {
          closing.fail++;
          this.report(path.concat(res.name || ''), res);
        }
        for (const k of Object.keys(counts)) counts[k] += closing[k];
        if (depth === 0) {
          const time = typeof res.time === 'number' ? `, ${(res.time / 1000).toFixed(1)} s` : '';
          this.push(`${res.ok ? 'ok' : 'not ok'} ${res.name} (${closing.pass} passed, ${closing.fail} failed${closing.skip ? `, ${closing.skip} skipped` : ''}${time})\n`);
        }
        return;
      }
      if (res.skip) counts.skip++;
      else if (res.todo) counts.todo++;
      else if (res.ok) counts.pass++;
      else {
        counts.fail++;
        this.report(path.concat(res.name || ''), res);
      }
    });
  }

  report(path, res) {
    this.push(`  not ok ${path.filter(Boolean).join(' > ')}\n`);
    if (res.diag) {
      const { source, stack, at, ...rest } = res.diag;
      const shown = { ...rest, ...(at ? { at: `${at.fileName}:${at.lineNumber}:${at.columnNumber}` } : {}) };
      for (const line of JSON.stringify(shown, null, 2).split('\n')) this.push(`      ${line}\n`);
      if (stack) for (const line of String(stack).split('\n').slice(0, 6)) this.push(`      ${line}\n`);
    }
  }

  _transform(chunk, _enc, cb) {
    this.parser.write(chunk);
    cb();
  }

  _flush(cb) {
    this.parser.end();
    cb();
  }
}
