// Builds the picture's page into ../pipeline/picture/static/ (served by the Python package).
//
//   npm ci && npm run build          (or: make web, from the repository root)
//
// The output is committed, so `make demo` needs no Node.js. The build is reproducible:
// exact versions in package-lock.json, no timestamps or absolute paths in the output, and
// build-info.json records a hash of every input (tests/unit/picture/test_static_bundle.py
// checks the committed bundle against the sources; `make web-check` rebuilds and diffs).
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? join(here, "..", "pipeline", "picture", "static");

// The inputs whose hash goes into build-info.json; the Python test hashes the same files
// the same way (sorted relative paths, "path\0content\0" each).
function inputs() {
  const files = ["build.mjs", "package.json", "package-lock.json"];
  const walk = (dir) => {
    for (const entry of readdirSync(join(here, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk("src");
  return files.sort();
}

function inputsHash() {
  const hash = createHash("sha256");
  for (const file of inputs()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(here, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

const RUNTIME_PACKAGES = ["leaflet", "milsymbol", "topojson-client", "world-atlas"];

function licences() {
  const parts = [
    "Third-party software and data bundled in app.js and app.css.\n",
    "World base map: Natural Earth (public domain), via world-atlas (ISC).\n",
  ];
  for (const name of RUNTIME_PACKAGES) {
    const dir = join(here, "node_modules", name);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
    parts.push(`\n==== ${name} ${pkg.version} (${pkg.license}) ====\n`);
    parts.push(file ? readFileSync(join(dir, file), "utf8") : "(no licence file in the package)\n");
  }
  return parts.join("");
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: [join(here, "src", "main.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outfile: join(out, "app.js"),
  loader: { ".json": "json", ".png": "dataurl", ".svg": "dataurl" },
  legalComments: "none", // the licences go to third-party-licences.txt in full
  charset: "utf8",
  logLevel: "warning",
});
copyFileSync(join(here, "src", "index.html"), join(out, "index.html"));
writeFileSync(join(out, "third-party-licences.txt"), licences());
const info = {
  inputs_sha256: inputsHash(),
  esbuild: esbuild.version,
  packages: Object.fromEntries(RUNTIME_PACKAGES.map((name) => [
    name, JSON.parse(readFileSync(join(here, "node_modules", name, "package.json"), "utf8")).version,
  ])),
};
writeFileSync(join(out, "build-info.json"), `${JSON.stringify(info, null, 2)}\n`);
console.log(`built ${relative(process.cwd(), out) || "."} (inputs ${info.inputs_sha256.slice(0, 12)})`);
