// Runs before `npm start` and `npm test` on whatever node is on PATH (even an old one), so that
// a too-old Node fails with one line saying what to do instead of a syntax error from main.ts.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  console.error(
    `downtime-monitor needs Node >= 22.19 (this is ${process.version}); install Node 24, e.g. \`npm i -g node@24\`, and run again`,
  );
  process.exit(1);
}
