-- The statements of the earlier migrations of dokploy-drizzle that name backup
-- (copied from dokploy-drizzle; see ../README.md).
-- 0000_reflective_puck
CREATE TABLE IF NOT EXISTS "backup" (
	"backupId" text PRIMARY KEY NOT NULL,
	"schedule" text NOT NULL,
	"enabled" boolean,
	"database" text NOT NULL,
	"prefix" text NOT NULL,
	"destinationId" text NOT NULL,
	"databaseType" "databaseType" NOT NULL,
	"postgresId" text,
	"mariadbId" text,
	"mysqlId" text,
	"mongoId" text
);
--> statement-breakpoint
-- 0014_same_hammerhead
ALTER TYPE "serviceType" ADD VALUE 'compose';
--> statement-breakpoint
-- 0022_warm_colonel_america
ALTER TYPE "sourceType" ADD VALUE 'drop';
--> statement-breakpoint
-- 0028_jittery_eternity
ALTER TYPE "buildType" ADD VALUE 'static';
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TYPE "sourceType" ADD VALUE 'gitlab';
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TYPE "sourceType" ADD VALUE 'bitbucket';
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TYPE "sourceTypeCompose" ADD VALUE 'gitlab';
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TYPE "sourceTypeCompose" ADD VALUE 'bitbucket';
--> statement-breakpoint
-- 0049_dark_leopardon
ALTER TYPE "domainType" ADD VALUE 'preview';
--> statement-breakpoint
-- 0056_majestic_skaar
ALTER TYPE "notificationType" ADD VALUE 'gotify';
--> statement-breakpoint
-- 0066_yielding_echo
DROP TYPE "public"."Roles";
--> statement-breakpoint
-- 0069_legal_bill_hollister
ALTER TYPE "public"."buildType" ADD VALUE 'railpack';
--> statement-breakpoint
-- 0072_green_susan_delgado
ALTER TYPE "public"."certificateType" ADD VALUE 'custom';
--> statement-breakpoint
-- 0077_chemical_dreadnoughts
ALTER TABLE "backup" ADD COLUMN "keepLatestCount" integer;
--> statement-breakpoint
-- 0079_bizarre_wendell_rand
ALTER TYPE "public"."sourceType" ADD VALUE 'gitea' BEFORE 'drop';
--> statement-breakpoint
-- 0079_bizarre_wendell_rand
ALTER TYPE "public"."sourceTypeCompose" ADD VALUE 'gitea' BEFORE 'raw';
--> statement-breakpoint
-- 0079_bizarre_wendell_rand
ALTER TYPE "public"."gitProviderType" ADD VALUE 'gitea';
--> statement-breakpoint
-- 0082_clean_mandarin
ALTER TABLE "backup" ADD COLUMN "userId" text;
--> statement-breakpoint
-- 0082_clean_mandarin
ALTER TABLE "backup" ADD CONSTRAINT "backup_userId_user_temp_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user_temp"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- 0083_parallel_stranger
ALTER TYPE "public"."databaseType" ADD VALUE 'web-server';
--> statement-breakpoint
-- 0087_lively_risque
CREATE TYPE "public"."triggerType" AS ENUM('push', 'tag');
--> statement-breakpoint
-- 0088_illegal_ma_gnuci
CREATE TYPE "public"."scheduleType" AS ENUM('application', 'compose', 'server', 'dokploy-server');
--> statement-breakpoint
-- 0088_illegal_ma_gnuci
CREATE TYPE "public"."shellType" AS ENUM('bash', 'sh');
