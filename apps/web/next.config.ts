import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  // Lets several builds of one checkout live side by side (e.g. parallel end-to-end runs); default ".next".
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  transpilePackages: [
    "@runnel/api",
    "@runnel/auth",
    "@runnel/client",
    "@runnel/db",
    "@runnel/engine",
    "@runnel/executor",
    "@runnel/runtime",
    "@runnel/nodes",
    "@runnel/ui",
  ],
  serverExternalPackages: [
    "@electric-sql/pglite",
    "@electric-sql/pglite-pgvector",
    "pg",
    "ws",
    "quickjs-emscripten",
  ],
};

export default config;
