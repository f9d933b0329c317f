// test/integration/count-reporter.mjs: node --test reporter that counts results for contrib/test
//
// Output: one "FAIL <file>: <test>" line per failure, one "TODO <file>:
// <test>: <why>" line per failing todo test, then "pass N" and "fail M". Counts tests (skipped and todo ones not at all), not suites; a suite counts only when it failed on
// its own (a hook, e.g. stop() finding a sanitizer report in after()) and
// none of its tests failed, so one problem is one failure.
import path from 'node:path';

export default async function* countReporter(source) {
  let pass = 0;
  let fail = 0;
  const childFailed = []; // childFailed[n]: a test at nesting n+1 failed since the last suite at n
  for await (const ev of source) {
    if (ev.type !== 'test:pass' && ev.type !== 'test:fail') continue;
    const { nesting = 0, name, file, details = {} } = ev.data;
    const where = `${file ? path.basename(file) : '?'}: ${name}`;
    if (details.type === 'suite') {
      const own = ev.type === 'test:fail' && details.error?.failureType !== 'subtestsFailed';
      if (own && !childFailed[nesting]) {
        fail++;
        yield `FAIL ${where} (${details.error?.failureType})\n`;
      }
      if (ev.type === 'test:fail' && nesting > 0) childFailed[nesting - 1] = true;
      childFailed[nesting] = false;
      continue;
    }
    if (ev.type === 'test:pass') {
      if (!ev.data.skip && !ev.data.todo) pass++;
    } else if (ev.data.todo) {
      // known and named (work another change must do): shown, not counted
      yield `TODO ${where}: ${ev.data.todo === true ? '' : ev.data.todo}\n`;
    } else {
      fail++;
      if (nesting > 0) childFailed[nesting - 1] = true;
      yield `FAIL ${where}\n`;
    }
  }
  yield `pass ${pass}\nfail ${fail}\n`;
}
