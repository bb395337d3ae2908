-- The statements of the earlier migrations of sim-drizzle that name invitation, workspace
-- (copied from sim-drizzle; see ../README.md).
-- 0031_lively_nico_minoru
CREATE TABLE "invitation" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"inviter_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"role" text NOT NULL,
	"status" text NOT NULL,
	"expires_at" timestamp NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- 0031_lively_nico_minoru
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_inviter_id_user_id_fk" FOREIGN KEY ("inviter_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0031_lively_nico_minoru
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0034_brainy_revanche
CREATE TABLE "workspace" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"owner_id" text NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- 0034_brainy_revanche
ALTER TABLE "workspace" ADD CONSTRAINT "workspace_owner_id_user_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0034_brainy_revanche
ALTER TABLE "workspace_member" ADD CONSTRAINT "workspace_member_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0034_brainy_revanche
ALTER TABLE "workflow" ADD CONSTRAINT "workflow_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0035_slim_energizer
ALTER TABLE "workspace_invitation" ADD CONSTRAINT "workspace_invitation_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0039_tranquil_speed
ALTER TABLE "knowledge_base" ADD CONSTRAINT "knowledge_base_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0042_breezy_miracleman
ALTER TABLE "workflow_folder" ADD CONSTRAINT "workflow_folder_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0046_loose_blizzard
CREATE TYPE "public"."permission_type" AS ENUM('admin', 'write', 'read');
--> statement-breakpoint
-- 0060_ordinary_nick_fury
ALTER TABLE "knowledge_base" ADD CONSTRAINT "knowledge_base_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- 0080_left_riptide
ALTER TABLE "workspace_environment" ADD CONSTRAINT "workspace_environment_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0082_light_blockbuster
CREATE INDEX "invitation_email_idx" ON "invitation" USING btree ("email");
--> statement-breakpoint
-- 0082_light_blockbuster
CREATE INDEX "invitation_organization_id_idx" ON "invitation" USING btree ("organization_id");
--> statement-breakpoint
-- 0083_ambiguous_dreadnoughts
CREATE TYPE "public"."workspace_invitation_status" AS ENUM('pending', 'accepted', 'rejected', 'cancelled');
--> statement-breakpoint
-- 0086_breezy_sister_grimm
CREATE TYPE "public"."webhook_delivery_status" AS ENUM('pending', 'in_progress', 'success', 'failed');
--> statement-breakpoint
-- 0087_wealthy_landau
ALTER TABLE "mcp_servers" ADD CONSTRAINT "mcp_servers_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0089_amused_pete_wisdom
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0100_public_black_cat
ALTER TABLE "workspace_file" ADD CONSTRAINT "workspace_file_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0102_eminent_amphibian
ALTER TABLE "workspace_files" ADD CONSTRAINT "workspace_files_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0104_orange_shinobi_shaw
ALTER TABLE "workspace" ADD COLUMN "billed_account_user_id" text;
--> statement-breakpoint
-- 0104_orange_shinobi_shaw
ALTER TABLE "workspace" ADD COLUMN "allow_personal_api_keys" boolean DEFAULT true NOT NULL;
--> statement-breakpoint
-- 0104_orange_shinobi_shaw
UPDATE "workspace" SET "billed_account_user_id" = "owner_id" WHERE "billed_account_user_id" IS NULL;
--> statement-breakpoint
-- 0104_orange_shinobi_shaw
ALTER TABLE "workspace" ALTER COLUMN "billed_account_user_id" SET NOT NULL;
--> statement-breakpoint
-- 0104_orange_shinobi_shaw
ALTER TABLE "workspace" ADD CONSTRAINT "workspace_billed_account_user_id_user_id_fk" FOREIGN KEY ("billed_account_user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- 0105_glamorous_wrecking_crew
ALTER TABLE "custom_tools" ADD CONSTRAINT "custom_tools_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
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
ALTER TABLE "workspace_notification_subscription" ADD CONSTRAINT "workspace_notification_subscription_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
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
-- 0128_swift_terrax
ALTER TABLE "usage_log" ADD CONSTRAINT "usage_log_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
-- 0130_bored_master_chief
ALTER TABLE "memory" ADD CONSTRAINT "memory_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0133_smiling_cargill
ALTER TABLE "workspace_byok_keys" ADD CONSTRAINT "workspace_byok_keys_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0134_parallel_galactus
ALTER TABLE "workflow_mcp_server" ADD CONSTRAINT "workflow_mcp_server_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
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
-- 0139_late_cargill
ALTER TABLE "a2a_agent" ADD CONSTRAINT "a2a_agent_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0152_parallel_frog_thor
ALTER TABLE "skill" ADD CONSTRAINT "skill_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0153_complete_arclight
ALTER TYPE "public"."usage_log_source" ADD VALUE 'mcp_copilot';
--> statement-breakpoint
-- 0155_strong_spyke
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
-- 0156_easy_odin
ALTER TABLE "user_table_definitions" ADD CONSTRAINT "user_table_definitions_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0156_easy_odin
ALTER TABLE "user_table_rows" ADD CONSTRAINT "user_table_rows_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
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
ALTER TABLE "credential" ADD CONSTRAINT "credential_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0158_amazing_hulk
ALTER TABLE "pending_credential_draft" ADD CONSTRAINT "pending_credential_draft_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0161_nostalgic_nightmare
CREATE TYPE "public"."chat_type" AS ENUM('mothership', 'copilot');
--> statement-breakpoint
-- 0161_nostalgic_nightmare
ALTER TYPE "public"."usage_log_source" ADD VALUE 'mothership_block';
--> statement-breakpoint
-- 0161_nostalgic_nightmare
ALTER TABLE "copilot_chats" ADD CONSTRAINT "copilot_chats_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0163_legal_randall
ALTER TABLE "workflow_schedule" ADD CONSTRAINT "workflow_schedule_source_workspace_id_workspace_id_fk" FOREIGN KEY ("source_workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0164_mean_roulette
ALTER TABLE "job_execution_logs" ADD CONSTRAINT "job_execution_logs_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0167_confused_gorilla_man
ALTER TYPE "public"."usage_log_source" ADD VALUE 'workspace-chat' BEFORE 'mcp_copilot';
--> statement-breakpoint
-- 0169_quiet_marvel_boy
ALTER TABLE "workspace" ADD COLUMN "color" text DEFAULT '#32bd7e' NOT NULL;
--> statement-breakpoint
-- 0172_silky_magma
ALTER TABLE "workspace" ADD COLUMN "archived_at" timestamp;
--> statement-breakpoint
-- 0173_bored_zeigeist
ALTER TABLE "workspace" ADD COLUMN "inbox_enabled" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
-- 0173_bored_zeigeist
ALTER TABLE "workspace" ADD COLUMN "inbox_address" text;
--> statement-breakpoint
-- 0173_bored_zeigeist
ALTER TABLE "workspace" ADD COLUMN "inbox_provider_id" text;
--> statement-breakpoint
-- 0173_bored_zeigeist
ALTER TABLE "mothership_inbox_allowed_sender" ADD CONSTRAINT "mothership_inbox_allowed_sender_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0173_bored_zeigeist
ALTER TABLE "mothership_inbox_task" ADD CONSTRAINT "mothership_inbox_task_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0173_bored_zeigeist
ALTER TABLE "mothership_inbox_webhook" ADD CONSTRAINT "mothership_inbox_webhook_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0176_clear_luckman
ALTER TABLE "workspace" ALTER COLUMN "color" SET DEFAULT '#33C482';
--> statement-breakpoint
-- 0179_burly_luckman
CREATE TYPE "public"."copilot_async_tool_status" AS ENUM('pending', 'running', 'completed', 'failed', 'cancelled', 'resume_enqueued', 'resumed');
--> statement-breakpoint
-- 0179_burly_luckman
CREATE TYPE "public"."copilot_run_status" AS ENUM('active', 'paused_waiting_for_tool', 'resuming', 'complete', 'error', 'cancelled');
--> statement-breakpoint
-- 0179_burly_luckman
ALTER TABLE "copilot_runs" ADD CONSTRAINT "copilot_runs_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;
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
-- 0190_shocking_karma
ALTER TABLE "workspace" ADD COLUMN "logo_url" text;
