CREATE TABLE "run_journal" (
	"run_id" text NOT NULL,
	"step_id" text NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_journal_pk" PRIMARY KEY("run_id","step_id")
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "lease_owner" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "lease_until" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "runs_lease_due_idx" ON "runs" USING btree ("lease_until") WHERE "runs"."status" in ('queued', 'running', 'waiting');