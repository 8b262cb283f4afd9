import js from "@eslint/js";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

/**
 * Typed lint for every package. `import-x/no-extraneous-dependencies` makes each package's
 * package.json its import allow-list; tooling/scripts/check-boundaries.mjs checks those lists
 * against the dependency rules of DESIGN §1.
 */
export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/.next/**",
      "**/node_modules/**",
      "**/drizzle/**",
      "**/*.config.*",
      "**/next-env.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    plugins: { "import-x": importX },
    languageOptions: { parserOptions: { projectService: true } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { prefer: "type-imports", fixStyle: "separate-type-imports" },
      ],
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-misused-promises": [
        "error",
        { checksVoidReturn: { attributes: false } },
      ],
      "import-x/no-extraneous-dependencies": ["error", { includeTypes: true }],
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "Read the environment only in a package's env.ts (createEnv).",
        },
      ],
    },
  },
  {
    files: ["**/env.ts", "**/*.test.ts", "**/test/**", "**/bench/**", "**/cli/**", "**/scripts/**"],
    rules: { "no-restricted-properties": "off" },
  },
);
