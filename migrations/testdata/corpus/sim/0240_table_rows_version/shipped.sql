-- The statements of the earlier migrations of sim-drizzle that name user_table_rows
-- (copied from sim-drizzle; see ../README.md).
-- 0046_loose_blizzard
CREATE TYPE "public"."permission_type" AS ENUM('admin', 'write', 'read');
--> statement-breakpoint
-- 0083_ambiguous_dreadnoughts
CREATE TYPE "public"."workspace_invitation_status" AS ENUM('pending', 'accepted', 'rejected', 'cancelled');
--> statement-breakpoint
-- 0086_breezy_sister_grimm
CREATE TYPE "public"."webhook_delivery_status" AS ENUM('pending', 'in_progress', 'success', 'failed');
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
-- 0128_swift_terrax
CREATE TYPE "public"."usage_log_category" AS ENUM('model', 'fixed');
--> statement-breakpoint
-- 0128_swift_terrax
CREATE TYPE "public"."usage_log_source" AS ENUM('workflow', 'wand', 'copilot');
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
-- 0153_complete_arclight
ALTER TYPE "public"."usage_log_source" ADD VALUE 'mcp_copilot';
--> statement-breakpoint
-- 0156_easy_odin
CREATE TABLE "user_table_rows" (
	"id" text PRIMARY KEY NOT NULL,
	"table_id" text NOT NULL,
	"workspace_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	"created_by" text
);
--> statement-breakpoint
-- 0156_easy_odin
ALTER TABLE "user_table_rows" ADD CONSTRAINT "user_table_rows_table_id_user_table_definitions_id_fk" FOREIGN KEY ("table_id") REFERENCES "public"."user_table_definitions"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0156_easy_odin
ALTER TABLE "user_table_rows" ADD CONSTRAINT "user_table_rows_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0156_easy_odin
ALTER TABLE "user_table_rows" ADD CONSTRAINT "user_table_rows_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
-- 0156_easy_odin
CREATE INDEX "user_table_rows_table_id_idx" ON "user_table_rows" USING btree ("table_id");
--> statement-breakpoint
-- 0156_easy_odin
CREATE INDEX "user_table_rows_workspace_id_idx" ON "user_table_rows" USING btree ("workspace_id");
--> statement-breakpoint
-- 0156_easy_odin
CREATE INDEX "user_table_rows_data_gin_idx" ON "user_table_rows" USING gin ("data");
--> statement-breakpoint
-- 0156_easy_odin
CREATE INDEX "user_table_rows_workspace_table_idx" ON "user_table_rows" USING btree ("workspace_id","table_id");
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
-- 0161_nostalgic_nightmare
CREATE TYPE "public"."chat_type" AS ENUM('mothership', 'copilot');
--> statement-breakpoint
-- 0161_nostalgic_nightmare
ALTER TYPE "public"."usage_log_source" ADD VALUE 'mothership_block';
--> statement-breakpoint
-- 0166_windy_lockjaw
ALTER TABLE "user_table_rows" ADD COLUMN "position" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- 0166_windy_lockjaw
CREATE INDEX "user_table_rows_table_position_idx" ON "user_table_rows" USING btree ("table_id","position");
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
-- 0199_invitation_membership_intent
CREATE TYPE "public"."invitation_membership_intent" AS ENUM('internal', 'external');
--> statement-breakpoint
-- 0201_shiny_skullbuster
ALTER TABLE "user_table_rows" ADD COLUMN "executions" jsonb DEFAULT '{}'::jsonb NOT NULL;
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
-- 0209_smiling_fixer
ALTER TABLE "table_row_executions" ADD CONSTRAINT "table_row_executions_row_id_user_table_rows_id_fk" FOREIGN KEY ("row_id") REFERENCES "public"."user_table_rows"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0209_smiling_fixer
ALTER TABLE "user_table_rows" DROP COLUMN "executions";
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
-- 0220_early_hellion
ALTER TYPE "public"."usage_log_category" ADD VALUE IF NOT EXISTS 'tool';
--> statement-breakpoint
-- 0226_sparkling_sheva_callister
ALTER TABLE "user_table_rows" ADD COLUMN "order_key" text;
--> statement-breakpoint
-- 0226_sparkling_sheva_callister
CREATE INDEX "user_table_rows_table_order_key_idx" ON "user_table_rows" USING btree ("table_id","order_key","id");
--> statement-breakpoint
-- 0227_natural_mentor
DROP TYPE "public"."template_creator_type";
--> statement-breakpoint
-- 0227_natural_mentor
DROP TYPE "public"."template_status";
--> statement-breakpoint
-- 0228_order_key_binary_collation
ALTER TABLE "user_table_rows" ALTER COLUMN "order_key" SET DATA TYPE text COLLATE "C";
--> statement-breakpoint
-- 0231_sim_trigger_workspace_events
DROP TYPE "public"."notification_delivery_status";
--> statement-breakpoint
-- 0231_sim_trigger_workspace_events
DROP TYPE "public"."notification_type";
--> statement-breakpoint
-- 0233_table_jobs_and_keyset
ALTER TABLE "user_table_rows" SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.01);
--> statement-breakpoint
-- 0233_table_jobs_and_keyset
CREATE INDEX CONCURRENTLY IF NOT EXISTS "user_table_rows_table_id_id_idx" ON "user_table_rows" USING btree ("table_id","id");
--> statement-breakpoint
-- 0233_table_jobs_and_keyset
CREATE INDEX CONCURRENTLY IF NOT EXISTS "user_table_rows_tenant_data_gin_idx" ON "user_table_rows" USING gin ("table_id","data" jsonb_path_ops);
