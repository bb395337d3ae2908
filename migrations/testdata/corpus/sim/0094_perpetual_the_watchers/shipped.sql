-- The statements of the earlier migrations of sim-drizzle that name chat
-- (copied from sim-drizzle; see ../README.md).
-- 0030_happy_joseph
CREATE TABLE "chat" (
	"id" text PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"user_id" text NOT NULL,
	"subdomain" text NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"is_active" boolean DEFAULT true NOT NULL,
	"customizations" json DEFAULT '{}',
	"auth_type" text DEFAULT 'public' NOT NULL,
	"password" text,
	"allowed_emails" json DEFAULT '[]',
	"output_block_id" text,
	"output_path" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- 0030_happy_joseph
ALTER TABLE "chat" ADD CONSTRAINT "chat_workflow_id_workflow_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflow"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0030_happy_joseph
ALTER TABLE "chat" ADD CONSTRAINT "chat_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0030_happy_joseph
CREATE UNIQUE INDEX "subdomain_idx" ON "chat" USING btree ("subdomain");
--> statement-breakpoint
-- 0032_rare_nico_minoru
ALTER TABLE "chat" ADD COLUMN "output_configs" json DEFAULT '[]';
--> statement-breakpoint
-- 0032_rare_nico_minoru
ALTER TABLE "chat" DROP COLUMN "output_block_id";
--> statement-breakpoint
-- 0032_rare_nico_minoru
ALTER TABLE "chat" DROP COLUMN "output_path";
--> statement-breakpoint
-- 0046_loose_blizzard
CREATE TYPE "public"."permission_type" AS ENUM('admin', 'write', 'read');
--> statement-breakpoint
-- 0083_ambiguous_dreadnoughts
CREATE TYPE "public"."workspace_invitation_status" AS ENUM('pending', 'accepted', 'rejected', 'cancelled');
--> statement-breakpoint
-- 0086_breezy_sister_grimm
CREATE TYPE "public"."webhook_delivery_status" AS ENUM('pending', 'in_progress', 'success', 'failed');
