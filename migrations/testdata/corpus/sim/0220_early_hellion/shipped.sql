-- The statements of the earlier migrations of sim-drizzle that name workflow_execution_logs, usage_log
-- (copied from sim-drizzle; see ../README.md).
-- 0046_loose_blizzard
CREATE TYPE "public"."permission_type" AS ENUM('admin', 'write', 'read');
--> statement-breakpoint
-- 0049_fancy_cardiac
CREATE TABLE "workflow_execution_logs" (
	"id" text PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"execution_id" text NOT NULL,
	"state_snapshot_id" text NOT NULL,
	"level" text NOT NULL,
	"message" text NOT NULL,
	"trigger" text NOT NULL,
	"started_at" timestamp NOT NULL,
	"ended_at" timestamp,
	"total_duration_ms" integer,
	"block_count" integer DEFAULT 0 NOT NULL,
	"success_count" integer DEFAULT 0 NOT NULL,
	"error_count" integer DEFAULT 0 NOT NULL,
	"skipped_count" integer DEFAULT 0 NOT NULL,
	"total_cost" numeric(10, 6),
	"total_input_cost" numeric(10, 6),
	"total_output_cost" numeric(10, 6),
	"total_tokens" integer,
	"metadata" jsonb DEFAULT '{}' NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- 0049_fancy_cardiac
ALTER TABLE "workflow_execution_logs" ADD CONSTRAINT "workflow_execution_logs_workflow_id_workflow_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflow"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0049_fancy_cardiac
ALTER TABLE "workflow_execution_logs" ADD CONSTRAINT "workflow_execution_logs_state_snapshot_id_workflow_execution_snapshots_id_fk" FOREIGN KEY ("state_snapshot_id") REFERENCES "public"."workflow_execution_snapshots"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- 0049_fancy_cardiac
CREATE INDEX "workflow_execution_logs_workflow_id_idx" ON "workflow_execution_logs" USING btree ("workflow_id");
--> statement-breakpoint
-- 0049_fancy_cardiac
CREATE INDEX "workflow_execution_logs_execution_id_idx" ON "workflow_execution_logs" USING btree ("execution_id");
--> statement-breakpoint
-- 0049_fancy_cardiac
CREATE INDEX "workflow_execution_logs_trigger_idx" ON "workflow_execution_logs" USING btree ("trigger");
--> statement-breakpoint
-- 0049_fancy_cardiac
CREATE INDEX "workflow_execution_logs_level_idx" ON "workflow_execution_logs" USING btree ("level");
--> statement-breakpoint
-- 0049_fancy_cardiac
CREATE INDEX "workflow_execution_logs_started_at_idx" ON "workflow_execution_logs" USING btree ("started_at");
--> statement-breakpoint
-- 0049_fancy_cardiac
CREATE INDEX "workflow_execution_logs_cost_idx" ON "workflow_execution_logs" USING btree ("total_cost");
--> statement-breakpoint
-- 0049_fancy_cardiac
CREATE INDEX "workflow_execution_logs_duration_idx" ON "workflow_execution_logs" USING btree ("total_duration_ms");
--> statement-breakpoint
-- 0049_fancy_cardiac
CREATE UNIQUE INDEX "workflow_execution_logs_execution_id_unique" ON "workflow_execution_logs" USING btree ("execution_id");
--> statement-breakpoint
-- 0064_elite_hedge_knight
CREATE INDEX "workflow_execution_logs_workflow_started_at_idx" ON "workflow_execution_logs" USING btree ("workflow_id","started_at");
--> statement-breakpoint
-- 0068_fine_hardball
ALTER TABLE "workflow_execution_logs" ADD COLUMN "files" jsonb;
--> statement-breakpoint
-- 0076_damp_vector
ALTER TABLE "workflow_execution_logs"
  ADD COLUMN IF NOT EXISTS "execution_data" jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN IF NOT EXISTS "cost" jsonb;
--> statement-breakpoint
-- 0076_damp_vector
ALTER TABLE "workflow_execution_logs"
  DROP COLUMN IF EXISTS "message",
  DROP COLUMN IF EXISTS "block_count",
  DROP COLUMN IF EXISTS "success_count",
  DROP COLUMN IF EXISTS "error_count",
  DROP COLUMN IF EXISTS "skipped_count",
  DROP COLUMN IF EXISTS "total_cost",
  DROP COLUMN IF EXISTS "total_input_cost",
  DROP COLUMN IF EXISTS "total_output_cost",
  DROP COLUMN IF EXISTS "total_tokens",
  DROP COLUMN IF EXISTS "metadata";
--> statement-breakpoint
-- 0083_ambiguous_dreadnoughts
CREATE TYPE "public"."workspace_invitation_status" AS ENUM('pending', 'accepted', 'rejected', 'cancelled');
--> statement-breakpoint
-- 0086_breezy_sister_grimm
CREATE TYPE "public"."webhook_delivery_status" AS ENUM('pending', 'in_progress', 'success', 'failed');
--> statement-breakpoint
-- 0098_thick_prima
CREATE INDEX "workflow_execution_logs_state_snapshot_id_idx" ON "workflow_execution_logs" USING btree ("state_snapshot_id");
--> statement-breakpoint
-- 0107_silky_agent_brand
CREATE TYPE "public"."template_creator_type" AS ENUM('user', 'organization');
--> statement-breakpoint
-- 0107_silky_agent_brand
CREATE TYPE "public"."template_status" AS ENUM('pending', 'approved', 'rejected');
--> statement-breakpoint
-- 0116_flimsy_shape
CREATE TYPE "public"."notification_delivery_status" AS ENUM('pending', 'in_progress', 'success', 'failed');
--> statement-breakpoint
-- 0116_flimsy_shape
CREATE TYPE "public"."notification_type" AS ENUM('webhook', 'email', 'slack');
--> statement-breakpoint
-- 0116_flimsy_shape
DROP TYPE "public"."webhook_delivery_status";
--> statement-breakpoint
-- 0118_tiresome_landau
CREATE TYPE "public"."billing_blocked_reason" AS ENUM('payment_failed', 'dispute');
--> statement-breakpoint
-- 0121_new_mantis
ALTER TABLE "workflow_execution_logs" ADD COLUMN "deployment_version_id" text;
--> statement-breakpoint
-- 0121_new_mantis
ALTER TABLE "workflow_execution_logs" ADD CONSTRAINT "workflow_execution_logs_deployment_version_id_workflow_deployment_version_id_fk" FOREIGN KEY ("deployment_version_id") REFERENCES "public"."workflow_deployment_version"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
-- 0121_new_mantis
CREATE INDEX "workflow_execution_logs_deployment_version_id_idx" ON "workflow_execution_logs" USING btree ("deployment_version_id");
--> statement-breakpoint
-- 0127_flimsy_sister_grimm
ALTER TABLE "workflow_execution_logs" ADD COLUMN IF NOT EXISTS "workspace_id" text;
--> statement-breakpoint
-- 0127_flimsy_sister_grimm
UPDATE "workflow_execution_logs" wel
SET "workspace_id" = w."workspace_id"
FROM "workflow" w
WHERE wel."workflow_id" = w."id"
  AND w."workspace_id" IS NOT NULL
  AND wel."workspace_id" IS NULL;
--> statement-breakpoint
-- 0127_flimsy_sister_grimm
DELETE FROM "workflow_execution_logs"
WHERE "workspace_id" IS NULL;
--> statement-breakpoint
-- 0127_flimsy_sister_grimm
ALTER TABLE "workflow_execution_logs" ALTER COLUMN "workspace_id" SET NOT NULL;
--> statement-breakpoint
-- 0127_flimsy_sister_grimm
CREATE INDEX IF NOT EXISTS "workflow_execution_logs_workspace_started_at_idx" ON "workflow_execution_logs" USING btree ("workspace_id","started_at");
--> statement-breakpoint
-- 0128_swift_terrax
CREATE TYPE "public"."usage_log_category" AS ENUM('model', 'fixed');
--> statement-breakpoint
-- 0128_swift_terrax
CREATE TYPE "public"."usage_log_source" AS ENUM('workflow', 'wand', 'copilot');
--> statement-breakpoint
-- 0128_swift_terrax
CREATE TABLE "usage_log" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"category" "usage_log_category" NOT NULL,
	"source" "usage_log_source" NOT NULL,
	"description" text NOT NULL,
	"metadata" jsonb,
	"cost" numeric NOT NULL,
	"workspace_id" text,
	"workflow_id" text,
	"execution_id" text,
	"created_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- 0128_swift_terrax
ALTER TABLE "usage_log" ADD CONSTRAINT "usage_log_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0128_swift_terrax
ALTER TABLE "usage_log" ADD CONSTRAINT "usage_log_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
-- 0128_swift_terrax
ALTER TABLE "usage_log" ADD CONSTRAINT "usage_log_workflow_id_workflow_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflow"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
-- 0128_swift_terrax
CREATE INDEX "usage_log_user_created_at_idx" ON "usage_log" USING btree ("user_id","created_at");
--> statement-breakpoint
-- 0128_swift_terrax
CREATE INDEX "usage_log_source_idx" ON "usage_log" USING btree ("source");
--> statement-breakpoint
-- 0128_swift_terrax
CREATE INDEX "usage_log_workspace_id_idx" ON "usage_log" USING btree ("workspace_id");
--> statement-breakpoint
-- 0128_swift_terrax
CREATE INDEX "usage_log_workflow_id_idx" ON "usage_log" USING btree ("workflow_id");
--> statement-breakpoint
-- 0132_dazzling_leech
ALTER TABLE "workflow_execution_logs" ADD COLUMN "status" text DEFAULT 'running' NOT NULL;
--> statement-breakpoint
-- 0132_dazzling_leech
UPDATE "workflow_execution_logs" 
SET "status" = CASE 
  WHEN "level" = 'error' THEN 'failed'
  WHEN "ended_at" IS NOT NULL THEN 'completed'
  ELSE 'running'
END;
--> statement-breakpoint
-- 0135_stormy_puff_adder
CREATE TYPE "public"."credential_set_invitation_status" AS ENUM('pending', 'accepted', 'expired', 'cancelled');
--> statement-breakpoint
-- 0135_stormy_puff_adder
CREATE TYPE "public"."credential_set_member_status" AS ENUM('active', 'pending', 'revoked');
--> statement-breakpoint
-- 0139_late_cargill
CREATE TYPE "public"."a2a_task_status" AS ENUM('submitted', 'working', 'input-required', 'completed', 'failed', 'canceled', 'rejected', 'auth-required', 'unknown');
--> statement-breakpoint
-- 0149_next_cerise
ALTER TABLE "workflow_execution_logs" DROP CONSTRAINT "workflow_execution_logs_workflow_id_workflow_id_fk";
--> statement-breakpoint
-- 0149_next_cerise
ALTER TABLE "workflow_execution_logs" ALTER COLUMN "workflow_id" DROP NOT NULL;
--> statement-breakpoint
-- 0149_next_cerise
ALTER TABLE "workflow_execution_logs" ADD CONSTRAINT "workflow_execution_logs_workflow_id_workflow_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflow"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
-- 0153_complete_arclight
ALTER TYPE "public"."usage_log_source" ADD VALUE 'mcp_copilot';
--> statement-breakpoint
-- 0158_amazing_hulk
CREATE TYPE "public"."credential_member_role" AS ENUM('admin', 'member');
--> statement-breakpoint
-- 0158_amazing_hulk
CREATE TYPE "public"."credential_member_status" AS ENUM('active', 'pending', 'revoked');
--> statement-breakpoint
-- 0158_amazing_hulk
CREATE TYPE "public"."credential_type" AS ENUM('oauth', 'env_workspace', 'env_personal');
--> statement-breakpoint
-- 0160_classy_tyger_tiger
CREATE INDEX "workflow_execution_logs_running_started_at_idx" ON "workflow_execution_logs" USING btree ("started_at") WHERE status = 'running';
--> statement-breakpoint
-- 0161_nostalgic_nightmare
CREATE TYPE "public"."chat_type" AS ENUM('mothership', 'copilot');
--> statement-breakpoint
-- 0161_nostalgic_nightmare
ALTER TYPE "public"."usage_log_source" ADD VALUE 'mothership_block';
--> statement-breakpoint
-- 0167_confused_gorilla_man
ALTER TYPE "public"."usage_log_source" ADD VALUE 'workspace-chat' BEFORE 'mcp_copilot';
--> statement-breakpoint
-- 0179_burly_luckman
CREATE TYPE "public"."copilot_async_tool_status" AS ENUM('pending', 'running', 'completed', 'failed', 'cancelled', 'resume_enqueued', 'resumed');
--> statement-breakpoint
-- 0179_burly_luckman
CREATE TYPE "public"."copilot_run_status" AS ENUM('active', 'paused_waiting_for_tool', 'resuming', 'complete', 'error', 'cancelled');
--> statement-breakpoint
-- 0180_amused_marvel_boy
DROP TYPE "public"."copilot_async_tool_status";
--> statement-breakpoint
-- 0180_amused_marvel_boy
CREATE TYPE "public"."copilot_async_tool_status" AS ENUM('pending', 'running', 'completed', 'failed', 'cancelled', 'delivered');
--> statement-breakpoint
-- 0183_workable_apocalypse
CREATE TYPE "public"."academy_cert_status" AS ENUM('active', 'revoked', 'expired');
--> statement-breakpoint
-- 0184_hard_thaddeus_ross
ALTER TYPE "public"."credential_type" ADD VALUE 'service_account';
--> statement-breakpoint
-- 0185_new_gravity
ALTER TYPE "public"."usage_log_source" ADD VALUE 'knowledge-base';
--> statement-breakpoint
-- 0187_fuzzy_wendell_vaughn
ALTER TYPE "public"."usage_log_source" ADD VALUE 'voice-input';
--> statement-breakpoint
-- 0192_invitation_unification
CREATE TYPE "public"."invitation_kind" AS ENUM('organization', 'workspace');
--> statement-breakpoint
-- 0192_invitation_unification
CREATE TYPE "public"."invitation_status" AS ENUM('pending', 'accepted', 'rejected', 'cancelled', 'expired');
--> statement-breakpoint
-- 0192_invitation_unification
CREATE TYPE "public"."workspace_mode" AS ENUM('personal', 'organization', 'grandfathered_shared');
--> statement-breakpoint
-- 0192_invitation_unification
DROP TYPE "public"."workspace_invitation_status";
--> statement-breakpoint
-- 0193_lying_rocket_racer
CREATE INDEX "usage_log_workspace_created_at_idx" ON "usage_log" USING btree ("workspace_id","created_at");
--> statement-breakpoint
-- 0199_invitation_membership_intent
CREATE TYPE "public"."invitation_membership_intent" AS ENUM('internal', 'external');
--> statement-breakpoint
-- 0204_powerful_medusa
CREATE TYPE "public"."data_drain_cadence" AS ENUM('hourly', 'daily');
--> statement-breakpoint
-- 0204_powerful_medusa
CREATE TYPE "public"."data_drain_destination" AS ENUM('s3', 'webhook');
--> statement-breakpoint
-- 0204_powerful_medusa
CREATE TYPE "public"."data_drain_run_status" AS ENUM('running', 'success', 'failed');
--> statement-breakpoint
-- 0204_powerful_medusa
CREATE TYPE "public"."data_drain_run_trigger" AS ENUM('cron', 'manual');
--> statement-breakpoint
-- 0204_powerful_medusa
CREATE TYPE "public"."data_drain_source" AS ENUM('workflow_logs', 'job_logs', 'audit_logs', 'copilot_chats', 'copilot_runs');
--> statement-breakpoint
-- 0204_powerful_medusa
CREATE INDEX "workflow_execution_logs_workspace_ended_at_id_idx" ON "workflow_execution_logs" USING btree ("workspace_id",date_trunc('milliseconds', "ended_at"),"id");
--> statement-breakpoint
-- 0206_aromatic_veda
ALTER TYPE "public"."data_drain_destination" ADD VALUE 'gcs' BEFORE 'webhook';
--> statement-breakpoint
-- 0206_aromatic_veda
ALTER TYPE "public"."data_drain_destination" ADD VALUE 'azure_blob' BEFORE 'webhook';
--> statement-breakpoint
-- 0206_aromatic_veda
ALTER TYPE "public"."data_drain_destination" ADD VALUE 'datadog' BEFORE 'webhook';
--> statement-breakpoint
-- 0206_aromatic_veda
ALTER TYPE "public"."data_drain_destination" ADD VALUE 'bigquery' BEFORE 'webhook';
--> statement-breakpoint
-- 0206_aromatic_veda
ALTER TYPE "public"."data_drain_destination" ADD VALUE 'snowflake' BEFORE 'webhook';
--> statement-breakpoint
-- 0212_sturdy_guardsmen
CREATE TYPE "public"."execution_large_value_reference_source" AS ENUM('execution_log', 'paused_snapshot');
--> statement-breakpoint
-- 0213_wealthy_sue_storm
ALTER TYPE "public"."usage_log_source" ADD VALUE 'enrichment';
--> statement-breakpoint
-- 0218_chubby_zzzax
CREATE TYPE "public"."billing_entity_type" AS ENUM('user', 'organization');
--> statement-breakpoint
-- 0218_chubby_zzzax
ALTER TABLE "usage_log" ADD COLUMN "event_key" text;
--> statement-breakpoint
-- 0218_chubby_zzzax
ALTER TABLE "usage_log" ADD COLUMN "billing_entity_type" "billing_entity_type";
--> statement-breakpoint
-- 0218_chubby_zzzax
ALTER TABLE "usage_log" ADD COLUMN "billing_entity_id" text;
--> statement-breakpoint
-- 0218_chubby_zzzax
ALTER TABLE "usage_log" ADD COLUMN "billing_period_start" timestamp;
--> statement-breakpoint
-- 0218_chubby_zzzax
ALTER TABLE "usage_log" ADD COLUMN "billing_period_end" timestamp;
--> statement-breakpoint
-- 0218_chubby_zzzax
CREATE UNIQUE INDEX "usage_log_event_key_unique" ON "usage_log" USING btree ("event_key") WHERE "usage_log"."event_key" IS NOT NULL;
--> statement-breakpoint
-- 0218_chubby_zzzax
CREATE INDEX "usage_log_billing_entity_period_idx" ON "usage_log" USING btree ("billing_entity_type","billing_entity_id","billing_period_start","billing_period_end") WHERE "usage_log"."billing_entity_type" IS NOT NULL;
--> statement-breakpoint
-- 0218_chubby_zzzax
ALTER TABLE "usage_log" ADD CONSTRAINT "usage_log_billing_scope_all_or_none" CHECK ((
        ("usage_log"."billing_entity_type" IS NULL AND "usage_log"."billing_entity_id" IS NULL AND "usage_log"."billing_period_start" IS NULL AND "usage_log"."billing_period_end" IS NULL)
        OR
        ("usage_log"."billing_entity_type" IS NOT NULL AND "usage_log"."billing_entity_id" IS NOT NULL AND "usage_log"."billing_period_start" IS NOT NULL AND "usage_log"."billing_period_end" IS NOT NULL AND "usage_log"."billing_period_start" < "usage_log"."billing_period_end")
      )) NOT VALID;
