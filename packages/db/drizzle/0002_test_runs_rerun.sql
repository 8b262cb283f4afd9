CREATE TYPE "public"."flow_version_kind" AS ENUM('published', 'test');--> statement-breakpoint
ALTER TABLE "flow_versions" DROP CONSTRAINT "flow_versions_flow_number_uq";--> statement-breakpoint
ALTER TABLE "flow_versions" ADD COLUMN "kind" "flow_version_kind" DEFAULT 'published' NOT NULL;--> statement-breakpoint
ALTER TABLE "run_steps" ADD COLUMN "port" text;--> statement-breakpoint
ALTER TABLE "run_steps" ADD COLUMN "reused_from_run_id" text;--> statement-breakpoint
ALTER TABLE "run_steps" ADD CONSTRAINT "run_steps_reused_from_run_id_runs_id_fk" FOREIGN KEY ("reused_from_run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "flow_versions_flow_number_uq" ON "flow_versions" USING btree ("flow_id","number") WHERE "flow_versions"."kind" = 'published';--> statement-breakpoint
CREATE INDEX "runs_rerun_of_idx" ON "runs" USING btree ("rerun_of_run_id");--> statement-breakpoint
ALTER TABLE "flow_versions" ADD CONSTRAINT "flow_versions_number_by_kind" CHECK (("flow_versions"."kind" = 'published' and "flow_versions"."number" > 0) or ("flow_versions"."kind" = 'test' and "flow_versions"."number" = 0));--> statement-breakpoint
CREATE FUNCTION "runnel_deployment_pins_published"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "flow_versions" v WHERE v."id" = NEW."version_id" AND v."kind" <> 'published') THEN
    RAISE EXCEPTION 'deployment % cannot pin flow version %: it is a test snapshot, not a published version', NEW."id", NEW."version_id"
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "deployments_pin_published" BEFORE INSERT OR UPDATE OF "version_id" ON "deployments" FOR EACH ROW EXECUTE FUNCTION "runnel_deployment_pins_published"();
