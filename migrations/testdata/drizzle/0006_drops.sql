DROP TABLE "old_logs" CASCADE;--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "bio";