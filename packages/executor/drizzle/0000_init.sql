CREATE SCHEMA IF NOT EXISTS "runnel_executor";
--> statement-breakpoint
CREATE TABLE "runnel_executor"."apps" (
	"id" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"sdk" text,
	"framework" text,
	"functions" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runnel_executor"."events" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"data" jsonb NOT NULL,
	"user" jsonb,
	"ts" bigint NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runnel_executor"."functions" (
	"id" text PRIMARY KEY NOT NULL,
	"app_id" text NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"config" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runnel_executor"."idempotency" (
	"function_id" text NOT NULL,
	"key" text NOT NULL,
	"run_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_function_id_key_pk" PRIMARY KEY("function_id","key")
);
--> statement-breakpoint
CREATE TABLE "runnel_executor"."jobs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"run_id" text,
	"step_id" text NOT NULL,
	"attempt" integer DEFAULT 0 NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"lease_owner" text,
	"lease_expires" timestamp with time zone,
	"concurrency" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"payload" jsonb
);
--> statement-breakpoint
CREATE TABLE "runnel_executor"."runs" (
	"id" text PRIMARY KEY NOT NULL,
	"function_id" text NOT NULL,
	"status" text NOT NULL,
	"event_id" text NOT NULL,
	"event" jsonb NOT NULL,
	"output" jsonb,
	"error" jsonb,
	"max_attempts" integer NOT NULL,
	"disable_immediate" boolean DEFAULT false NOT NULL,
	"concurrency" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"parent_run_id" text,
	"parent_step_id" text,
	"cancelled_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "runnel_executor"."steps" (
	"run_id" text NOT NULL,
	"id" text NOT NULL,
	"op" text NOT NULL,
	"name" text,
	"display_name" text,
	"status" text NOT NULL,
	"opts" jsonb,
	"has_result" boolean DEFAULT false NOT NULL,
	"data" jsonb,
	"error" jsonb,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	CONSTRAINT "steps_run_id_id_pk" PRIMARY KEY("run_id","id")
);
--> statement-breakpoint
CREATE TABLE "runnel_executor"."waits" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"kind" text NOT NULL,
	"step_id" text,
	"event_name" text NOT NULL,
	"expression" text,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "events_name_idx" ON "runnel_executor"."events" USING btree ("name","received_at");--> statement-breakpoint
CREATE INDEX "functions_app_idx" ON "runnel_executor"."functions" USING btree ("app_id");--> statement-breakpoint
CREATE INDEX "jobs_due_idx" ON "runnel_executor"."jobs" USING btree ("due_at");--> statement-breakpoint
CREATE INDEX "jobs_run_idx" ON "runnel_executor"."jobs" USING btree ("run_id");--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_pending_key_idx" ON "runnel_executor"."jobs" USING btree ("key") WHERE lease_owner is null;--> statement-breakpoint
CREATE INDEX "runs_created_idx" ON "runnel_executor"."runs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "runs_function_idx" ON "runnel_executor"."runs" USING btree ("function_id","created_at");--> statement-breakpoint
CREATE INDEX "runs_parent_idx" ON "runnel_executor"."runs" USING btree ("parent_run_id");--> statement-breakpoint
CREATE INDEX "runs_event_idx" ON "runnel_executor"."runs" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "waits_event_idx" ON "runnel_executor"."waits" USING btree ("event_name");--> statement-breakpoint
CREATE INDEX "waits_run_idx" ON "runnel_executor"."waits" USING btree ("run_id");