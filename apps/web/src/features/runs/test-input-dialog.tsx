"use client";

import type { FormEvent } from "react";
import { useState } from "react";

import {
  Alert,
  Button,
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  FormField,
  Textarea,
} from "@runnel/ui";

import { parseTestInput } from "./input-example";

export interface TestInputDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The JSON text the field starts with (last input, or an example from the input schema). */
  initialText: string;
  /** Starts the run; a rejection's message is shown in the dialog. */
  onRun: (input: unknown) => Promise<void>;
  /** Field errors and messages from the API, shown under the field or above the buttons. */
  inputError?: string | undefined;
  formError?: string | null;
  pending: boolean;
}

/** The test run's input as JSON: checked as you submit, with the JSON error under the field. */
export function TestInputDialog({
  open,
  onOpenChange,
  initialText,
  onRun,
  inputError,
  formError,
  pending,
}: TestInputDialogProps) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Test run</DialogTitle>
          <DialogDescription>
            Saves the draft, then runs it with this input. Test runs do not need a published version
            and are marked as tests in the run list.
          </DialogDescription>
        </DialogHeader>
        {/* Keyed by the starting text so reopening the dialog starts from a fresh value. */}
        {open ? (
          <TestInputForm
            key={initialText}
            initialText={initialText}
            onRun={onRun}
            inputError={inputError}
            formError={formError ?? null}
            pending={pending}
            onCancel={() => onOpenChange(false)}
          />
        ) : null}
      </DialogContent>
    </Dialog>
  );
}

function TestInputForm({
  initialText,
  onRun,
  inputError,
  formError,
  pending,
  onCancel,
}: {
  initialText: string;
  onRun: (input: unknown) => Promise<void>;
  inputError: string | undefined;
  formError: string | null;
  pending: boolean;
  onCancel: () => void;
}) {
  const [text, setText] = useState(initialText);
  const [jsonError, setJsonError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseTestInput(text);
    if (!parsed.ok) {
      setJsonError(parsed.error);
      return;
    }
    setJsonError(null);
    void onRun(parsed.value);
  };

  return (
    <form className="flex flex-col gap-4" onSubmit={submit} noValidate>
      <FormField
        id="test-run-input"
        label="Test input (JSON)"
        hint="Checked against the manual trigger's input schema when the run starts."
        error={jsonError ?? inputError}
      >
        <Textarea
          className="min-h-48 font-mono text-xs"
          spellCheck={false}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (jsonError) setJsonError(null);
          }}
        />
      </FormField>
      {formError ? (
        <Alert variant="danger">
          <span className="whitespace-pre-line">{formError}</span>
        </Alert>
      ) : null}
      <DialogFooter>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending}>
          {pending ? "Starting…" : "Run test"}
        </Button>
      </DialogFooter>
    </form>
  );
}
