-- The statements of the earlier migrations of dokploy-drizzle that name apikey
-- (copied from dokploy-drizzle; see ../README.md).
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
CREATE TABLE "apikey" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text,
	"start" text,
	"prefix" text,
	"key" text NOT NULL,
	"user_id" text NOT NULL,
	"refill_interval" integer,
	"refill_amount" integer,
	"last_refill_at" timestamp,
	"enabled" boolean,
	"rate_limit_enabled" boolean,
	"rate_limit_time_window" integer,
	"rate_limit_max" integer,
	"request_count" integer,
	"remaining" integer,
	"last_request" timestamp,
	"expires_at" timestamp,
	"created_at" timestamp NOT NULL,
	"updated_at" timestamp NOT NULL,
	"permissions" text,
	"metadata" text
);
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "apikey" ADD CONSTRAINT "apikey_user_id_user_temp_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
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
-- 0089_noisy_sandman
CREATE TYPE "public"."backupType" AS ENUM('database', 'compose');
--> statement-breakpoint
-- 0099_wise_golden_guardian
CREATE TYPE "public"."publishModeType" AS ENUM('ingress', 'host');
--> statement-breakpoint
-- 0110_red_psynapse
ALTER TYPE "public"."notificationType" ADD VALUE 'ntfy';
--> statement-breakpoint
-- 0113_complete_rafael_vega
ALTER TYPE "public"."deploymentStatus" ADD VALUE 'cancelled';
--> statement-breakpoint
-- 0118_loose_anita_blake
ALTER TYPE "public"."notificationType" ADD VALUE 'lark';
--> statement-breakpoint
-- 0120_lame_captain_midlands
ALTER TABLE "apikey" DROP CONSTRAINT "apikey_user_id_user_temp_id_fk";
--> statement-breakpoint
-- 0120_lame_captain_midlands
ALTER TABLE "apikey" ADD CONSTRAINT "apikey_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0122_absent_frightful_four
CREATE TYPE "public"."serverType" AS ENUM('deploy', 'build');
--> statement-breakpoint
-- 0129_pale_roughhouse
ALTER TYPE "public"."notificationType" ADD VALUE 'custom' BEFORE 'lark';
--> statement-breakpoint
-- 0135_illegal_magik
ALTER TYPE "public"."notificationType" ADD VALUE 'pushover' BEFORE 'custom';
--> statement-breakpoint
-- 0138_pretty_ironclad
ALTER TYPE "public"."notificationType" ADD VALUE 'resend' BEFORE 'gotify';
--> statement-breakpoint
-- 0144_odd_gunslinger
ALTER TYPE "public"."notificationType" ADD VALUE 'teams';
--> statement-breakpoint
-- 0145_remarkable_titania
CREATE TYPE "public"."patchType" AS ENUM('create', 'update', 'delete');
