ALTER TABLE "posts" ALTER COLUMN "status" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "posts" ALTER COLUMN "status" DROP DEFAULT;--> statement-breakpoint
DROP TYPE "status";--> statement-breakpoint
CREATE TYPE "status" AS ENUM('draft', 'published', 'hidden');--> statement-breakpoint
ALTER TABLE "posts" ALTER COLUMN "status" SET DATA TYPE "status" USING "status"::"status";--> statement-breakpoint
ALTER TABLE "posts" ALTER COLUMN "status" SET DEFAULT 'draft'::"status";