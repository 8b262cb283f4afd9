ALTER TABLE "runs" ADD COLUMN "dispatch_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "runs_dispatch_due_idx" ON "runs" USING btree ("dispatch_at") WHERE "runs"."dispatch_at" is not null;--> statement-breakpoint
-- Runs accepted before the outbox whose start request never arrived: the dispatcher sends them once (idempotent).
UPDATE "runs" SET "dispatch_at" = now() WHERE "status" = 'queued' AND "parent_run_id" IS NULL;
