// Runs the pinned npm solc on a standard-JSON input read from stdin and prints its output.
// Imports resolve against this directory, then node_modules (e.g. "@openzeppelin/contracts/...").
// Used by `python -m governance.build`; unlike the solcjs CLI it prints nothing else on stdout.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const solc = require("solc");

const roots = [__dirname, path.join(__dirname, "node_modules")];

function findImports(sourcePath) {
  if (path.isAbsolute(sourcePath) || sourcePath.split("/").includes("..")) {
    return { error: `refusing to import ${sourcePath}: only relative paths inside the project` };
  }
  for (const root of roots) {
    const candidate = path.join(root, sourcePath);
    if (fs.existsSync(candidate)) {
      return { contents: fs.readFileSync(candidate, "utf8") };
    }
  }
  return { error: `${sourcePath} not found in ${roots.join(" or ")}` };
}

if (process.argv[2] === "--version") {
  process.stdout.write(solc.version() + "\n");
} else {
  const input = fs.readFileSync(0, "utf8");
  process.stdout.write(solc.compile(input, { import: findImports }));
}
