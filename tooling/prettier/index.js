/** @type {import("prettier").Config} */
export default {
  printWidth: 100,
  plugins: ["@ianvs/prettier-plugin-sort-imports"],
  importOrder: ["<TYPES>", "<BUILTIN_MODULES>", "<THIRD_PARTY_MODULES>", "", "<TYPES>^@runnel", "^@runnel/(.*)$", "", "<TYPES>^[.]", "^[.]"],
  importOrderTypeScriptVersion: "5.9.3",
};
