-- The statements of the earlier migrations of sim-drizzle that name credential
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
-- 0158_amazing_hulk
CREATE TYPE "public"."credential_member_role" AS ENUM('admin', 'member');
--> statement-breakpoint
-- 0158_amazing_hulk
CREATE TYPE "public"."credential_member_status" AS ENUM('active', 'pending', 'revoked');
--> statement-breakpoint
-- 0158_amazing_hulk
CREATE TYPE "public"."credential_type" AS ENUM('oauth', 'env_workspace', 'env_personal');
--> statement-breakpoint
-- 0158_amazing_hulk
CREATE TABLE "credential" (
    "id" text PRIMARY KEY NOT NULL,
    "workspace_id" text NOT NULL,
    "type" "credential_type" NOT NULL,
    "display_name" text NOT NULL,
    "description" text,
    "provider_id" text,
    "account_id" text,
    "env_key" text,
    "env_owner_user_id" text,
    "created_by" text NOT NULL,
    "created_at" timestamp DEFAULT now() NOT NULL,
    "updated_at" timestamp DEFAULT now() NOT NULL,
    CONSTRAINT "credential_oauth_source_check" CHECK ((type <> 'oauth') OR (account_id IS NOT NULL AND provider_id IS NOT NULL)),
    CONSTRAINT "credential_workspace_env_source_check" CHECK ((type <> 'env_workspace') OR (env_key IS NOT NULL AND env_owner_user_id IS NULL)),
    CONSTRAINT "credential_personal_env_source_check" CHECK ((type <> 'env_personal') OR (env_key IS NOT NULL AND env_owner_user_id IS NOT NULL))
);
--> statement-breakpoint
-- 0158_amazing_hulk
ALTER TABLE "credential" ADD CONSTRAINT "credential_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0158_amazing_hulk
ALTER TABLE "credential" ADD CONSTRAINT "credential_account_id_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."account"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0158_amazing_hulk
ALTER TABLE "credential" ADD CONSTRAINT "credential_env_owner_user_id_user_id_fk" FOREIGN KEY ("env_owner_user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0158_amazing_hulk
ALTER TABLE "credential" ADD CONSTRAINT "credential_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0158_amazing_hulk
ALTER TABLE "credential_member" ADD CONSTRAINT "credential_member_credential_id_credential_id_fk" FOREIGN KEY ("credential_id") REFERENCES "public"."credential"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0158_amazing_hulk
ALTER TABLE "pending_credential_draft" ADD CONSTRAINT "pending_credential_draft_credential_id_credential_id_fk" FOREIGN KEY ("credential_id") REFERENCES "public"."credential"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0158_amazing_hulk
CREATE INDEX "credential_workspace_id_idx" ON "credential" USING btree ("workspace_id");
--> statement-breakpoint
-- 0158_amazing_hulk
CREATE INDEX "credential_type_idx" ON "credential" USING btree ("type");
--> statement-breakpoint
-- 0158_amazing_hulk
CREATE INDEX "credential_provider_id_idx" ON "credential" USING btree ("provider_id");
--> statement-breakpoint
-- 0158_amazing_hulk
CREATE INDEX "credential_account_id_idx" ON "credential" USING btree ("account_id");
--> statement-breakpoint
-- 0158_amazing_hulk
CREATE INDEX "credential_env_owner_user_id_idx" ON "credential" USING btree ("env_owner_user_id");
--> statement-breakpoint
-- 0158_amazing_hulk
CREATE UNIQUE INDEX "credential_workspace_account_unique" ON "credential" USING btree ("workspace_id","account_id") WHERE account_id IS NOT NULL;
--> statement-breakpoint
-- 0158_amazing_hulk
CREATE UNIQUE INDEX "credential_workspace_env_unique" ON "credential" USING btree ("workspace_id","type","env_key") WHERE type = 'env_workspace';
--> statement-breakpoint
-- 0158_amazing_hulk
CREATE UNIQUE INDEX "credential_workspace_personal_env_unique" ON "credential" USING btree ("workspace_id","type","env_key","env_owner_user_id") WHERE type = 'env_personal';
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
-- 0184_hard_thaddeus_ross
ALTER TABLE "credential" ADD COLUMN "encrypted_service_account_key" text;
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
-- 0227_natural_mentor
DROP TYPE "public"."template_creator_type";
--> statement-breakpoint
-- 0227_natural_mentor
DROP TYPE "public"."template_status";
--> statement-breakpoint
-- 0231_sim_trigger_workspace_events
DROP TYPE "public"."notification_delivery_status";
--> statement-breakpoint
-- 0231_sim_trigger_workspace_events
DROP TYPE "public"."notification_type";
--> statement-breakpoint
-- 0251_wakeful_smiling_tiger
CREATE TYPE "public"."background_work_kind" AS ENUM('deployment_side_effects', 'fork_content_copy', 'fork_sync', 'fork_rollback');
--> statement-breakpoint
-- 0251_wakeful_smiling_tiger
CREATE TYPE "public"."background_work_status_value" AS ENUM('pending', 'processing', 'completed', 'completed_with_warnings', 'failed');
--> statement-breakpoint
-- 0252_remove_a2a
DROP TYPE "public"."a2a_task_status";
--> statement-breakpoint
-- 0255_remove_credential_sets
DROP TYPE "public"."credential_set_invitation_status";
--> statement-breakpoint
-- 0255_remove_credential_sets
DROP TYPE "public"."credential_set_member_status";
--> statement-breakpoint
-- 0257_majestic_chat
ALTER TYPE "public"."workspace_fork_resource_type" ADD VALUE IF NOT EXISTS 'workflow_mcp_server' BEFORE 'custom_tool';
--> statement-breakpoint
-- 0273_copilot_tool_permission_decision
CREATE TYPE "public"."copilot_tool_permission_decision" AS ENUM('allow', 'allow_chat', 'always_allow', 'skip');
--> statement-breakpoint
-- 0277_workspace_sandboxes
CREATE TYPE "public"."sandbox_image_status" AS ENUM('pending', 'building', 'ready', 'failed');
--> statement-breakpoint
-- 0277_workspace_sandboxes
CREATE TYPE "public"."sandbox_language" AS ENUM('javascript', 'python');
--> statement-breakpoint
-- 0281_fixed_madame_web
ALTER TYPE "public"."usage_log_source" ADD VALUE 'voice-output';
--> statement-breakpoint
-- 0289_warm_malice
CREATE TYPE "public"."upload_session_method" AS ENUM('put', 'multipart');
--> statement-breakpoint
-- 0289_warm_malice
CREATE TYPE "public"."upload_session_provider" AS ENUM('local', 's3', 'blob', 'gcs');
--> statement-breakpoint
-- 0289_warm_malice
CREATE TYPE "public"."upload_session_purpose" AS ENUM('workspace_file', 'table_import', 'knowledge_document', 'profile_picture', 'workspace_logo', 'mothership_attachment', 'execution_attachment');
--> statement-breakpoint
-- 0289_warm_malice
CREATE TYPE "public"."upload_session_status" AS ENUM('uploading', 'completing', 'finalizing', 'completed', 'aborting', 'aborted', 'failed', 'expired');
