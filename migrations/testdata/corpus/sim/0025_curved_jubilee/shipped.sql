-- The statements of the earlier migrations of sim-drizzle that name workflow
-- (copied from sim-drizzle; see ../README.md).
-- 0001_foamy_dakota_north
CREATE TABLE "workflow" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"state" text NOT NULL,
	"last_synced" timestamp NOT NULL,
	"created_at" timestamp NOT NULL,
	"updated_at" timestamp NOT NULL
);
--> statement-breakpoint
-- 0001_foamy_dakota_north
ALTER TABLE "workflow" ADD CONSTRAINT "workflow_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0003_smiling_hammerhead
ALTER TABLE "logs" ADD CONSTRAINT "logs_workflow_id_workflow_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflow"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0005_shocking_domino
ALTER TABLE "workflow_schedule" ADD CONSTRAINT "workflow_schedule_workflow_id_workflow_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflow"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0006_plain_zzzax
ALTER TABLE "workflow" ALTER COLUMN "state" SET DATA TYPE json USING state::json;
--> statement-breakpoint
-- 0006_plain_zzzax
ALTER TABLE "workflow_logs" ADD CONSTRAINT "workflow_logs_workflow_id_workflow_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflow"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0009_cynical_bullseye
ALTER TABLE "workflow" ADD COLUMN "is_deployed" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
-- 0009_cynical_bullseye
ALTER TABLE "workflow" ADD COLUMN "deployed_at" timestamp;
--> statement-breakpoint
-- 0009_cynical_bullseye
ALTER TABLE "workflow" ADD COLUMN "api_key" text;
--> statement-breakpoint
-- 0012_minor_dexter_bennett
ALTER TABLE "workflow" ADD COLUMN "color" text DEFAULT '#3972F6' NOT NULL;
--> statement-breakpoint
-- 0013_dusty_aaron_stack
ALTER TABLE "webhook" ADD CONSTRAINT "webhook_workflow_id_workflow_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflow"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0016_cultured_butterfly
ALTER TABLE "workflow" ADD COLUMN "collaborators" json DEFAULT '[]' NOT NULL;
--> statement-breakpoint
-- 0018_sleepy_champions
ALTER TABLE "marketplace" ADD CONSTRAINT "marketplace_workflow_id_workflow_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflow"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0020_clear_skreet
ALTER TABLE "workflow" ADD COLUMN "is_published" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
-- 0021_shocking_korath
ALTER TABLE "workflow" ADD COLUMN "run_count" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- 0021_shocking_korath
ALTER TABLE "workflow" ADD COLUMN "last_run_at" timestamp;
--> statement-breakpoint
-- 0022_gray_galactus
ALTER TABLE "workflow" ADD COLUMN "variables" json DEFAULT '{}';
--> statement-breakpoint
-- 0023_nervous_tyger_tiger
ALTER TABLE "workflow" DROP COLUMN "api_key";
--> statement-breakpoint
-- 0024_next_whizzer
ALTER TABLE "workflow" ADD COLUMN "marketplace_data" json DEFAULT 'null'::json;
