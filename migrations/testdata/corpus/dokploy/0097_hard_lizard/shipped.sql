-- The statements of the earlier migrations of dokploy-drizzle that name rollback, deployment
-- (copied from dokploy-drizzle; see ../README.md).
-- 0000_reflective_puck
CREATE TABLE IF NOT EXISTS "deployment" (
	"deploymentId" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"status" "deploymentStatus" DEFAULT 'running',
	"logPath" text NOT NULL,
	"applicationId" text NOT NULL,
	"createdAt" text NOT NULL
);
--> statement-breakpoint
-- 0014_same_hammerhead
ALTER TYPE "serviceType" ADD VALUE 'compose';
--> statement-breakpoint
-- 0014_same_hammerhead
ALTER TABLE "deployment" ALTER COLUMN "applicationId" DROP NOT NULL;
--> statement-breakpoint
-- 0014_same_hammerhead
ALTER TABLE "deployment" ADD COLUMN "composeId" text;
--> statement-breakpoint
-- 0017_minor_post
ALTER TABLE "deployment" ADD COLUMN "description" text;
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
-- 0037_legal_namor
ALTER TABLE "deployment" ADD COLUMN "serverId" text;
--> statement-breakpoint
-- 0049_dark_leopardon
ALTER TYPE "domainType" ADD VALUE 'preview';
--> statement-breakpoint
-- 0049_dark_leopardon
ALTER TABLE "deployment" ADD COLUMN "isPreviewDeployment" boolean DEFAULT false;
--> statement-breakpoint
-- 0049_dark_leopardon
ALTER TABLE "deployment" ADD COLUMN "previewDeploymentId" text;
--> statement-breakpoint
-- 0056_majestic_skaar
ALTER TYPE "notificationType" ADD VALUE 'gotify';
--> statement-breakpoint
-- 0058_brown_sharon_carter
ALTER TABLE "deployment" ADD COLUMN "errorMessage" text;
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
-- 0079_bizarre_wendell_rand
ALTER TYPE "public"."sourceType" ADD VALUE 'gitea' BEFORE 'drop';
--> statement-breakpoint
-- 0079_bizarre_wendell_rand
ALTER TYPE "public"."sourceTypeCompose" ADD VALUE 'gitea' BEFORE 'raw';
--> statement-breakpoint
-- 0079_bizarre_wendell_rand
ALTER TYPE "public"."gitProviderType" ADD VALUE 'gitea';
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
--> statement-breakpoint
-- 0088_illegal_ma_gnuci
ALTER TABLE "deployment" ADD COLUMN "startedAt" text;
--> statement-breakpoint
-- 0088_illegal_ma_gnuci
ALTER TABLE "deployment" ADD COLUMN "finishedAt" text;
--> statement-breakpoint
-- 0088_illegal_ma_gnuci
ALTER TABLE "deployment" ADD COLUMN "scheduleId" text;
--> statement-breakpoint
-- 0088_illegal_ma_gnuci
ALTER TABLE "deployment" ADD CONSTRAINT "deployment_scheduleId_schedule_scheduleId_fk" FOREIGN KEY ("scheduleId") REFERENCES "public"."schedule"("scheduleId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0089_noisy_sandman
CREATE TYPE "public"."backupType" AS ENUM('database', 'compose');
--> statement-breakpoint
-- 0089_noisy_sandman
ALTER TABLE "deployment" ADD COLUMN "backupId" text;
--> statement-breakpoint
-- 0089_noisy_sandman
ALTER TABLE "deployment" ADD CONSTRAINT "deployment_backupId_backup_backupId_fk" FOREIGN KEY ("backupId") REFERENCES "public"."backup"("backupId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0095_curly_justice
CREATE TABLE "rollback" (
	"rollbackId" text PRIMARY KEY NOT NULL,
	"deploymentId" text NOT NULL,
	"version" serial NOT NULL,
	"image" text,
	"createdAt" text NOT NULL,
	"fullContext" jsonb
);
--> statement-breakpoint
-- 0095_curly_justice
ALTER TABLE "deployment" ADD COLUMN "rollbackId" text;
--> statement-breakpoint
-- 0095_curly_justice
ALTER TABLE "rollback" ADD CONSTRAINT "rollback_deploymentId_deployment_deploymentId_fk" FOREIGN KEY ("deploymentId") REFERENCES "public"."deployment"("deploymentId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0095_curly_justice
ALTER TABLE "deployment" ADD CONSTRAINT "deployment_rollbackId_rollback_rollbackId_fk" FOREIGN KEY ("rollbackId") REFERENCES "public"."rollback"("rollbackId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0096_small_shaman
ALTER TABLE "rollback" DROP CONSTRAINT "rollback_deploymentId_deployment_deploymentId_fk";
--> statement-breakpoint
-- 0096_small_shaman
ALTER TABLE "rollback" ADD CONSTRAINT "rollback_deploymentId_deployment_deploymentId_fk" FOREIGN KEY ("deploymentId") REFERENCES "public"."deployment"("deploymentId") ON DELETE set null ON UPDATE no action;
