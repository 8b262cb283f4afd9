CREATE TYPE "public"."trigger_kind" AS ENUM('webhook', 'schedule');--> statement-breakpoint
CREATE TYPE "public"."approval_status" AS ENUM('pending', 'approved', 'rejected', 'timed_out');--> statement-breakpoint
CREATE TYPE "public"."run_status" AS ENUM('queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."run_trigger_kind" AS ENUM('manual', 'webhook', 'schedule', 'api', 'subflow');--> statement-breakpoint
CREATE TYPE "public"."step_status" AS ENUM('pending', 'running', 'succeeded', 'failed', 'skipped', 'waiting');--> statement-breakpoint
CREATE TABLE "deployments" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"flow_id" text NOT NULL,
	"version_id" text NOT NULL,
	"slug" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deployments_org_slug_uq" UNIQUE("org_id","slug")
);
--> statement-breakpoint
CREATE TABLE "flow_versions" (
	"id" text PRIMARY KEY NOT NULL,
	"flow_id" text NOT NULL,
	"org_id" text NOT NULL,
	"number" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"author_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "flow_versions_flow_number_uq" UNIQUE("flow_id","number"),
	CONSTRAINT "flow_versions_id_org_uq" UNIQUE("id","org_id")
);
--> statement-breakpoint
CREATE TABLE "flows" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"draft" jsonb DEFAULT '{"nodes":[],"edges":[]}'::jsonb NOT NULL,
	"draft_updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "flows_id_org_uq" UNIQUE("id","org_id")
);
--> statement-breakpoint
CREATE TABLE "triggers" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"flow_id" text NOT NULL,
	"node_id" text,
	"kind" "trigger_kind" NOT NULL,
	"hook_id" text,
	"secret" text,
	"cron" text,
	"timezone" text,
	"next_run_at" timestamp with time zone,
	"last_run_at" timestamp with time zone,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "triggers_hook_id_uq" UNIQUE("hook_id"),
	CONSTRAINT "triggers_webhook_has_hook_id" CHECK ("triggers"."kind" <> 'webhook' or "triggers"."hook_id" is not null),
	CONSTRAINT "triggers_schedule_has_cron" CHECK ("triggers"."kind" <> 'schedule' or ("triggers"."cron" is not null and "triggers"."timezone" is not null))
);
--> statement-breakpoint
CREATE TABLE "approvals" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"run_id" text NOT NULL,
	"node_id" text NOT NULL,
	"assignees" text[] DEFAULT '{}' NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"form_schema" jsonb,
	"status" "approval_status" DEFAULT 'pending' NOT NULL,
	"decided_by" text,
	"comment" text,
	"form_data" jsonb,
	"decided_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "approvals_run_node_uq" UNIQUE("run_id","node_id")
);
--> statement-breakpoint
CREATE TABLE "run_blobs" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"run_id" text NOT NULL,
	"bytes" integer NOT NULL,
	"sha256" text NOT NULL,
	"content" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "run_events" (
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"org_id" text NOT NULL,
	"type" text NOT NULL,
	"node_id" text,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"dedupe_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_events_pk" PRIMARY KEY("run_id","seq"),
	CONSTRAINT "run_events_run_dedupe_uq" UNIQUE("run_id","dedupe_key"),
	CONSTRAINT "run_events_seq_positive" CHECK ("run_events"."seq" > 0)
);
--> statement-breakpoint
CREATE TABLE "run_steps" (
	"id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"org_id" text NOT NULL,
	"node_id" text NOT NULL,
	"attempt" integer DEFAULT 0 NOT NULL,
	"status" "step_status" DEFAULT 'pending' NOT NULL,
	"input" jsonb,
	"input_blob_id" text,
	"output" jsonb,
	"output_blob_id" text,
	"error" jsonb,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"tokens_in" integer DEFAULT 0 NOT NULL,
	"tokens_out" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_steps_run_node_attempt_uq" UNIQUE("run_id","node_id","attempt"),
	CONSTRAINT "run_steps_attempt_nonneg" CHECK ("run_steps"."attempt" >= 0)
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"flow_id" text NOT NULL,
	"flow_version_id" text NOT NULL,
	"trigger_kind" "run_trigger_kind" NOT NULL,
	"trigger_info" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" "run_status" DEFAULT 'queued' NOT NULL,
	"input" jsonb,
	"input_blob_id" text,
	"output" jsonb,
	"output_blob_id" text,
	"error" jsonb,
	"failed_node_id" text,
	"parent_run_id" text,
	"rerun_of_run_id" text,
	"rerun_from_node_id" text,
	"idempotency_key" text,
	"created_by" text,
	"event_seq" integer DEFAULT 0 NOT NULL,
	"tokens_in" integer DEFAULT 0 NOT NULL,
	"tokens_out" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "runs_org_idempotency_uq" UNIQUE("org_id","idempotency_key"),
	CONSTRAINT "runs_id_org_uq" UNIQUE("id","org_id")
);
--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_flow_fk" FOREIGN KEY ("flow_id","org_id") REFERENCES "public"."flows"("id","org_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_version_fk" FOREIGN KEY ("version_id","org_id") REFERENCES "public"."flow_versions"("id","org_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_versions" ADD CONSTRAINT "flow_versions_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_versions" ADD CONSTRAINT "flow_versions_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_versions" ADD CONSTRAINT "flow_versions_flow_fk" FOREIGN KEY ("flow_id","org_id") REFERENCES "public"."flows"("id","org_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flows" ADD CONSTRAINT "flows_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flows" ADD CONSTRAINT "flows_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "triggers" ADD CONSTRAINT "triggers_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "triggers" ADD CONSTRAINT "triggers_flow_fk" FOREIGN KEY ("flow_id","org_id") REFERENCES "public"."flows"("id","org_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_run_fk" FOREIGN KEY ("run_id","org_id") REFERENCES "public"."runs"("id","org_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_blobs" ADD CONSTRAINT "run_blobs_run_fk" FOREIGN KEY ("run_id","org_id") REFERENCES "public"."runs"("id","org_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_events" ADD CONSTRAINT "run_events_run_fk" FOREIGN KEY ("run_id","org_id") REFERENCES "public"."runs"("id","org_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_steps" ADD CONSTRAINT "run_steps_input_blob_id_run_blobs_id_fk" FOREIGN KEY ("input_blob_id") REFERENCES "public"."run_blobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_steps" ADD CONSTRAINT "run_steps_output_blob_id_run_blobs_id_fk" FOREIGN KEY ("output_blob_id") REFERENCES "public"."run_blobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_steps" ADD CONSTRAINT "run_steps_run_fk" FOREIGN KEY ("run_id","org_id") REFERENCES "public"."runs"("id","org_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_parent_run_id_runs_id_fk" FOREIGN KEY ("parent_run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_rerun_of_run_id_runs_id_fk" FOREIGN KEY ("rerun_of_run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_flow_fk" FOREIGN KEY ("flow_id","org_id") REFERENCES "public"."flows"("id","org_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_flow_version_fk" FOREIGN KEY ("flow_version_id","org_id") REFERENCES "public"."flow_versions"("id","org_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deployments_org_flow_idx" ON "deployments" USING btree ("org_id","flow_id");--> statement-breakpoint
CREATE INDEX "flow_versions_org_idx" ON "flow_versions" USING btree ("org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "flows_org_slug_uq" ON "flows" USING btree ("org_id","slug") WHERE "flows"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "flows_org_updated_idx" ON "flows" USING btree ("org_id","updated_at");--> statement-breakpoint
CREATE INDEX "triggers_org_flow_idx" ON "triggers" USING btree ("org_id","flow_id");--> statement-breakpoint
CREATE INDEX "triggers_due_idx" ON "triggers" USING btree ("next_run_at") WHERE "triggers"."kind" = 'schedule' and "triggers"."enabled";--> statement-breakpoint
CREATE INDEX "approvals_org_status_idx" ON "approvals" USING btree ("org_id","status","created_at");--> statement-breakpoint
CREATE INDEX "run_blobs_run_idx" ON "run_blobs" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "run_events_org_idx" ON "run_events" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "run_steps_org_idx" ON "run_steps" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "runs_org_created_idx" ON "runs" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "runs_org_flow_created_idx" ON "runs" USING btree ("org_id","flow_id","created_at");--> statement-breakpoint
CREATE INDEX "runs_org_status_idx" ON "runs" USING btree ("org_id","status");--> statement-breakpoint
CREATE INDEX "runs_parent_idx" ON "runs" USING btree ("parent_run_id");--> statement-breakpoint
CREATE FUNCTION "runnel_reject_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are immutable (append-only); UPDATE is not allowed', TG_TABLE_NAME
    USING ERRCODE = 'object_not_in_prerequisite_state';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "flow_versions_immutable" BEFORE UPDATE ON "flow_versions" FOR EACH ROW EXECUTE FUNCTION "runnel_reject_update"();--> statement-breakpoint
CREATE TRIGGER "run_events_append_only" BEFORE UPDATE ON "run_events" FOR EACH ROW EXECUTE FUNCTION "runnel_reject_update"();
