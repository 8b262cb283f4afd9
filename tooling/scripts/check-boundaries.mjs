// Checks every workspace package's @runnel/* dependencies against the rules of DESIGN §1.
// A package's package.json is its import allow-list (enforced by import-x/no-extraneous-dependencies);
// this script makes sure those lists obey the architecture.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

/** Which @runnel packages each package may depend on (tooling configs are always allowed). */
const allowed = {
  "@runnel/nodes": [],
  "@runnel/db": [],
  "@runnel/ui": [],
  "@runnel/observability": [],
  "@runnel/executor": ["@runnel/db"],
  "@runnel/auth": ["@runnel/db"],
  "@runnel/engine": ["@runnel/nodes", "@runnel/db"],
  "@runnel/runtime": ["@runnel/db", "@runnel/engine", "@runnel/executor", "@runnel/nodes"],
  "@runnel/api": ["@runnel/db", "@runnel/auth", "@runnel/engine", "@runnel/nodes"],
  "@runnel/client": ["@runnel/api"],
  "@runnel/web": [
    "@runnel/api",
    "@runnel/auth",
    "@runnel/ui",
    "@runnel/nodes",
    "@runnel/client",
    "@runnel/db",
    "@runnel/observability",
    "@runnel/runtime",
  ],
};
/**
 * Test-only dependencies beyond the runtime rule: a package's tests may start the production runtime. The engine
 * gets none — its tests never drive runFlow through an executor (those suites live in @runnel/runtime).
 */
const allowedInTests = {
  "@runnel/api": ["@runnel/runtime"],
};
const tooling = new Set([
  "@runnel/eslint-config",
  "@runnel/prettier-config",
  "@runnel/tsconfig",
  "@runnel/vitest-config",
]);
const thirdPartyRules = {
  "@runnel/nodes": (name) => name === "zod",
};

const problems = [];
for (const dir of ["apps", "packages"]) {
  for (const name of readdirSync(join(root, dir))) {
    const file = join(root, dir, name, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8"));
    const rule = allowed[pkg.name];
    if (!rule) {
      problems.push(`${pkg.name}: no dependency rule in tooling/scripts/check-boundaries.mjs`);
      continue;
    }
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      if (dep.startsWith("@runnel/") && !tooling.has(dep) && !rule.includes(dep)) {
        problems.push(`${pkg.name} may not depend on ${dep} (DESIGN §1)`);
      }
    }
    for (const dep of Object.keys(pkg.devDependencies ?? {})) {
      const testRule = [...rule, ...(allowedInTests[pkg.name] ?? [])];
      if (dep.startsWith("@runnel/") && !tooling.has(dep) && !testRule.includes(dep)) {
        problems.push(`${pkg.name} may not depend on ${dep}, not even in tests (DESIGN §1)`);
      }
    }
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      const onlyThese = thirdPartyRules[pkg.name];
      if (onlyThese && !dep.startsWith("@runnel/") && !onlyThese(dep)) {
        problems.push(`${pkg.name} must stay pure: runtime dependency ${dep} is not allowed`);
      }
    }
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("dependency boundaries: ok");
