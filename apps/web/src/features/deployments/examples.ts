/** Code samples that call a deployed flow, for the deployments page. */
export interface ExampleTarget {
  /** Absolute URL of the run endpoint. */
  url: string;
  baseUrl: string;
  /** The endpoint path as it appears in the OpenAPI document. */
  path: string;
  flowId: string;
  versionNumber: number;
  body: unknown;
}

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

export function curlExample(target: ExampleTarget): string {
  return [
    `curl -X POST ${shellQuote(`${target.url}?wait=30`)} \\`,
    `  -H "Authorization: Bearer $RUNNEL_API_KEY" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d ${shellQuote(JSON.stringify(target.body))}`,
  ].join("\n");
}

function indentJson(value: unknown, indent: string): string {
  return JSON.stringify(value, null, 2).split("\n").join(`\n${indent}`);
}

export function openapiFetchExample(target: ExampleTarget): string {
  return `// npx openapi-typescript ${target.baseUrl}/api/v1/openapi.json -o runnel-api.ts
// (send the API key: --header "Authorization: Bearer $RUNNEL_API_KEY")
import createClient from "openapi-fetch";

import type { paths } from "./runnel-api";

const runnel = createClient<paths>({
  baseUrl: ${JSON.stringify(target.baseUrl)},
  headers: { authorization: \`Bearer \${process.env.RUNNEL_API_KEY}\` },
});

const { data, error } = await runnel.POST(${JSON.stringify(target.path)}, {
  params: { query: { wait: 30 } },
  body: ${indentJson(target.body, "  ")},
});`;
}

export function runnelClientExample(target: ExampleTarget): string {
  return `import { createRunnelClient } from "@runnel/client";

const runnel = createRunnelClient({
  baseUrl: ${JSON.stringify(target.baseUrl)},
  apiKey: process.env.RUNNEL_API_KEY ?? "",
});

const run = await runnel.runs.start.mutate({
  flowId: ${JSON.stringify(target.flowId)},
  version: ${target.versionNumber},
  input: ${indentJson(target.body, "  ")},
});`;
}
