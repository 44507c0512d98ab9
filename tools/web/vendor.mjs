// Copies the browser builds of the front-end libraries into src/web/vendor/, where the build
// embeds them into the binary. The copies are committed, so building hookline never needs npm;
// run this only to change a library's version (npm ci && npm run vendor).
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendorDir = join(here, "..", "..", "src", "web", "vendor");

const copies = [
  ["uplot/dist/uPlot.iife.min.js", "uplot/uPlot.iife.min.js"],
  ["uplot/dist/uPlot.min.css", "uplot/uPlot.min.css"],
  ["uplot/LICENSE", "uplot/LICENSE"],
];

for (const [from, to] of copies) {
  const target = join(vendorDir, to);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(here, "node_modules", from), target);
  console.log(`vendored ${to}`);
}
