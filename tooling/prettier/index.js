import { fileURLToPath } from "node:url";

/** @type {import("prettier").Config} */
export default {
  printWidth: 100,
  // Resolved here, so the plugin is found from whichever package runs prettier.
  plugins: [fileURLToPath(import.meta.resolve("@ianvs/prettier-plugin-sort-imports"))],
  importOrder: [
    "<TYPES>",
    "<BUILTIN_MODULES>",
    "<THIRD_PARTY_MODULES>",
    "",
    "<TYPES>^@runnel",
    "^@runnel/(.*)$",
    "",
    "<TYPES>^(~/|[.])",
    "^~/",
    "^[.]",
  ],
  importOrderTypeScriptVersion: "5.9.3",
};
