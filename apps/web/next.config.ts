import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  transpilePackages: [
    "@runnel/api",
    "@runnel/auth",
    "@runnel/client",
    "@runnel/db",
    "@runnel/engine",
    "@runnel/executor",
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
