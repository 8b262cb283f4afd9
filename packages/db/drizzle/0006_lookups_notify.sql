-- What the webhook and REST handlers cache per process (docs/rest.md, "Caching and invalidation"): which version a
-- hook or deployment runs, and the hook's trigger row. Any change to those rows, from any process or tool, sends
-- pg_notify('runnel_lookups', <org id>) at commit, and every process drops that org's cached lookups.
CREATE FUNCTION "runnel_notify_lookups"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.org_id IS DISTINCT FROM NEW.org_id THEN
    PERFORM pg_notify('runnel_lookups', OLD.org_id);
  END IF;
  PERFORM pg_notify('runnel_lookups', CASE TG_OP WHEN 'DELETE' THEN OLD.org_id ELSE NEW.org_id END);
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Not on the scheduler's next_run_at / last_run_at moves: no lookup reads them.
CREATE TRIGGER "triggers_notify_lookups"
  AFTER INSERT OR UPDATE OF "org_id", "flow_id", "node_id", "kind", "hook_id", "secret", "enabled" OR DELETE ON "triggers"
  FOR EACH ROW EXECUTE FUNCTION "runnel_notify_lookups"();
--> statement-breakpoint
CREATE TRIGGER "deployments_notify_lookups" AFTER INSERT OR UPDATE OR DELETE ON "deployments"
  FOR EACH ROW EXECUTE FUNCTION "runnel_notify_lookups"();
--> statement-breakpoint
CREATE TRIGGER "flows_notify_lookups" AFTER UPDATE OF "deleted_at", "name", "description", "org_id" OR DELETE ON "flows"
  FOR EACH ROW EXECUTE FUNCTION "runnel_notify_lookups"();
--> statement-breakpoint
CREATE TRIGGER "flow_versions_notify_lookups" AFTER INSERT ON "flow_versions"
  FOR EACH ROW WHEN (NEW.kind = 'published') EXECUTE FUNCTION "runnel_notify_lookups"();
