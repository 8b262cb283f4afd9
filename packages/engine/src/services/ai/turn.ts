import type { AssistantModelMessage, ModelMessage, ToolSet } from "ai";
import { assistantModelMessageSchema, jsonSchema, tool } from "ai";

import type { AiMessage, AiToolCall, AiToolDeclaration, JsonValue } from "@runnel/nodes";
import { isJsonValue } from "@runnel/nodes";

import { AiCallError } from "./errors";

/**
 * Tool declarations for the AI SDK without `execute`: the SDK stops after the model's answer and hands the calls back,
 * because Runnel runs each tool call itself as a durable step (docs/ai.md, Agents). The schemas carry no validator:
 * a call with bad arguments comes back as it is, and the agent tells the model what was wrong.
 */
export function declaredTools(tools: readonly AiToolDeclaration[]): ToolSet {
  const set: ToolSet = {};
  for (const declared of tools) {
    set[declared.name] = tool({
      ...(declared.description === undefined ? {} : { description: declared.description }),
      inputSchema: jsonSchema<unknown>(declared.parameters),
    });
  }
  return set;
}

function assistantMessage(content: JsonValue, index: number): AssistantModelMessage {
  const parsed = assistantModelMessageSchema.safeParse({ role: "assistant", content });
  if (!parsed.success)
    throw new AiCallError(`messages[${index}]: not an assistant message this service returned`);
  return parsed.data;
}

/** The history as AI SDK model messages. */
export function toModelMessages(messages: readonly AiMessage[]): ModelMessage[] {
  return messages.map((message, index): ModelMessage => {
    switch (message.role) {
      case "user":
        return { role: "user", content: message.text };
      case "assistant":
        return assistantMessage(message.content, index);
      case "tool":
        return {
          role: "tool",
          content: message.results.map((result) => ({
            type: "tool-result" as const,
            toolCallId: result.toolCallId,
            toolName: result.toolName,
            output: result.isError
              ? {
                  type: "error-text" as const,
                  value:
                    typeof result.output === "string"
                      ? result.output
                      : JSON.stringify(result.output),
                }
              : { type: "json" as const, value: result.output },
          })),
        };
    }
  });
}

/** Data as JSON: undefined fields dropped, anything that is not JSON (binary file parts) left out. */
function asJson(value: unknown): JsonValue | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  if (text === undefined) return undefined;
  const parsed: unknown = JSON.parse(text);
  return isJsonValue(parsed) ? parsed : undefined;
}

const KEPT_PARTS = new Set(["text", "reasoning", "tool-call"]);

/**
 * The assistant message of the answer as the next call needs it: text, reasoning and tool-call parts with their
 * provider options (reasoning items, thought signatures), as JSON a step can record.
 */
export function assistantContent(responseMessages: readonly ModelMessage[]): JsonValue {
  const assistant = responseMessages.find((message) => message.role === "assistant");
  if (assistant === undefined) return [];
  if (typeof assistant.content === "string") return [{ type: "text", text: assistant.content }];
  const parts = assistant.content.filter((part) => KEPT_PARTS.has(part.type));
  return asJson(parts) ?? [];
}

/** The model's tool calls with JSON arguments (a call whose input was not JSON keeps its raw text). */
export function toolCallsOf(
  calls: readonly { toolCallId: string; toolName: string; input: unknown }[],
): AiToolCall[] {
  return calls.map((call) => ({
    id: call.toolCallId,
    name: call.toolName,
    arguments: asJson(call.input) ?? null,
  }));
}
