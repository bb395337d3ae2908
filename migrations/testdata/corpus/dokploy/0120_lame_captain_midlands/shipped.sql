-- The statements of the earlier migrations of dokploy-drizzle that name user_temp, account, apikey, invitation, member, organization, two_factor, backup, git_provider, schedule, session_temp, application, mariadb, mongo, mysql, postgres, redis
-- (copied from dokploy-drizzle; see ../README.md).
-- 0000_reflective_puck
CREATE TABLE IF NOT EXISTS "application" (
	"applicationId" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"appName" text NOT NULL,
	"description" text,
	"env" text,
	"memoryReservation" integer,
	"memoryLimit" integer,
	"cpuReservation" integer,
	"cpuLimit" integer,
	"title" text,
	"enabled" boolean,
	"subtitle" text,
	"command" text,
	"customLogo" text,
	"customCss" text,
	"hideLogo" boolean,
	"hideLinks" boolean,
	"refreshToken" text,
	"sourceType" "sourceType" DEFAULT 'github' NOT NULL,
	"repository" text,
	"owner" text,
	"branch" text,
	"buildPath" text DEFAULT '/',
	"autoDeploy" boolean,
	"username" text,
	"password" text,
	"dockerImage" text,
	"customGitUrl" text,
	"customGitBranch" text,
	"customGitBuildPath" text,
	"customGitSSHKey" text,
	"dockerfile" text,
	"applicationStatus" "applicationStatus" DEFAULT 'idle' NOT NULL,
	"buildType" "buildType" DEFAULT 'nixpacks' NOT NULL,
	"createdAt" text NOT NULL,
	"projectId" text NOT NULL,
	CONSTRAINT "application_appName_unique" UNIQUE("appName")
);
--> statement-breakpoint
-- 0000_reflective_puck
CREATE TABLE IF NOT EXISTS "postgres" (
	"postgresId" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"appName" text NOT NULL,
	"databaseName" text NOT NULL,
	"databaseUser" text NOT NULL,
	"databasePassword" text NOT NULL,
	"description" text,
	"dockerImage" text NOT NULL,
	"command" text,
	"env" text,
	"memoryReservation" integer,
	"externalPort" integer,
	"memoryLimit" integer,
	"cpuReservation" integer,
	"cpuLimit" integer,
	"applicationStatus" "applicationStatus" DEFAULT 'idle' NOT NULL,
	"createdAt" text NOT NULL,
	"projectId" text NOT NULL,
	CONSTRAINT "postgres_appName_unique" UNIQUE("appName")
);
--> statement-breakpoint
-- 0000_reflective_puck
CREATE TABLE IF NOT EXISTS "mariadb" (
	"mariadbId" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"appName" text NOT NULL,
	"description" text,
	"databaseName" text NOT NULL,
	"databaseUser" text NOT NULL,
	"databasePassword" text NOT NULL,
	"rootPassword" text NOT NULL,
	"dockerImage" text NOT NULL,
	"command" text,
	"env" text,
	"memoryReservation" integer,
	"memoryLimit" integer,
	"cpuReservation" integer,
	"cpuLimit" integer,
	"externalPort" integer,
	"applicationStatus" "applicationStatus" DEFAULT 'idle' NOT NULL,
	"createdAt" text NOT NULL,
	"projectId" text NOT NULL,
	CONSTRAINT "mariadb_appName_unique" UNIQUE("appName")
);
--> statement-breakpoint
-- 0000_reflective_puck
CREATE TABLE IF NOT EXISTS "mongo" (
	"mongoId" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"appName" text NOT NULL,
	"description" text,
	"databaseUser" text NOT NULL,
	"databasePassword" text NOT NULL,
	"dockerImage" text NOT NULL,
	"command" text,
	"env" text,
	"memoryReservation" integer,
	"memoryLimit" integer,
	"cpuReservation" integer,
	"cpuLimit" integer,
	"externalPort" integer,
	"applicationStatus" "applicationStatus" DEFAULT 'idle' NOT NULL,
	"createdAt" text NOT NULL,
	"projectId" text NOT NULL,
	CONSTRAINT "mongo_appName_unique" UNIQUE("appName")
);
--> statement-breakpoint
-- 0000_reflective_puck
CREATE TABLE IF NOT EXISTS "mysql" (
	"mysqlId" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"appName" text NOT NULL,
	"description" text,
	"databaseName" text NOT NULL,
	"databaseUser" text NOT NULL,
	"databasePassword" text NOT NULL,
	"rootPassword" text NOT NULL,
	"dockerImage" text NOT NULL,
	"command" text,
	"env" text,
	"memoryReservation" integer,
	"memoryLimit" integer,
	"cpuReservation" integer,
	"cpuLimit" integer,
	"externalPort" integer,
	"applicationStatus" "applicationStatus" DEFAULT 'idle' NOT NULL,
	"createdAt" text NOT NULL,
	"projectId" text NOT NULL,
	CONSTRAINT "mysql_appName_unique" UNIQUE("appName")
);
--> statement-breakpoint
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
-- 0000_reflective_puck
CREATE TABLE IF NOT EXISTS "redis" (
	"redisId" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"appName" text NOT NULL,
	"description" text,
	"password" text NOT NULL,
	"dockerImage" text NOT NULL,
	"command" text,
	"env" text,
	"memoryReservation" integer,
	"memoryLimit" integer,
	"cpuReservation" integer,
	"cpuLimit" integer,
	"externalPort" integer,
	"createdAt" text NOT NULL,
	"applicationStatus" "applicationStatus" DEFAULT 'idle' NOT NULL,
	"projectId" text NOT NULL,
	CONSTRAINT "redis_appName_unique" UNIQUE("appName")
);
--> statement-breakpoint
-- 0004_nice_tenebrous
ALTER TABLE "application" DROP COLUMN IF EXISTS "customLogo";
--> statement-breakpoint
-- 0004_nice_tenebrous
ALTER TABLE "application" DROP COLUMN IF EXISTS "customCss";
--> statement-breakpoint
-- 0004_nice_tenebrous
ALTER TABLE "application" DROP COLUMN IF EXISTS "hideLogo";
--> statement-breakpoint
-- 0004_nice_tenebrous
ALTER TABLE "application" DROP COLUMN IF EXISTS "hideLinks";
--> statement-breakpoint
-- 0006_oval_jimmy_woo
ALTER TABLE "application" ADD COLUMN "registryId" text;
--> statement-breakpoint
-- 0007_cute_guardsmen
ALTER TABLE "application" ADD COLUMN "replicas" integer DEFAULT 1;
--> statement-breakpoint
-- 0008_lazy_sage
ALTER TABLE "application" DROP CONSTRAINT "application_registryId_registry_registryId_fk";
--> statement-breakpoint
-- 0009_majestic_spencer_smythe
ALTER TABLE "application" ALTER COLUMN "replicas" SET NOT NULL;
--> statement-breakpoint
-- 0012_chubby_umar
ALTER TABLE "application" ADD COLUMN "healthCheckSwarm" json;
--> statement-breakpoint
-- 0012_chubby_umar
ALTER TABLE "application" ADD COLUMN "restartPolicySwarm" json;
--> statement-breakpoint
-- 0012_chubby_umar
ALTER TABLE "application" ADD COLUMN "placementSwarm" json;
--> statement-breakpoint
-- 0012_chubby_umar
ALTER TABLE "application" ADD COLUMN "updateConfigSwarm" json;
--> statement-breakpoint
-- 0012_chubby_umar
ALTER TABLE "application" ADD COLUMN "rollbackConfigSwarm" json;
--> statement-breakpoint
-- 0012_chubby_umar
ALTER TABLE "application" ADD COLUMN "modeSwarm" json;
--> statement-breakpoint
-- 0012_chubby_umar
ALTER TABLE "application" ADD COLUMN "labelsSwarm" json;
--> statement-breakpoint
-- 0013_blushing_starjammers
ALTER TABLE "application" ADD COLUMN "networkSwarm" json;
--> statement-breakpoint
-- 0014_same_hammerhead
ALTER TYPE "serviceType" ADD VALUE 'compose';
--> statement-breakpoint
-- 0022_warm_colonel_america
ALTER TYPE "sourceType" ADD VALUE 'drop';
--> statement-breakpoint
-- 0023_icy_maverick
ALTER TABLE "application" ADD COLUMN "dropBuildPath" text;
--> statement-breakpoint
-- 0025_lying_mephisto
ALTER TABLE "application" ADD COLUMN "buildArgs" text;
--> statement-breakpoint
-- 0026_known_dormammu
ALTER TABLE "application" ADD COLUMN "customGitSSHKeyId" text;
--> statement-breakpoint
-- 0026_known_dormammu
ALTER TABLE "application" DROP COLUMN IF EXISTS "customGitSSHKey";
--> statement-breakpoint
-- 0027_red_lady_bullseye
ALTER TABLE "application" ADD COLUMN "publishDirectory" text;
--> statement-breakpoint
-- 0028_jittery_eternity
ALTER TYPE "buildType" ADD VALUE 'static';
--> statement-breakpoint
-- 0029_colossal_zodiak
ALTER TABLE "application" ADD COLUMN "dockerContextPath" text;
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
-- 0033_white_hawkeye
CREATE TABLE IF NOT EXISTS "git_provider" (
	"gitProviderId" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"providerType" "gitProviderType" DEFAULT 'github' NOT NULL,
	"createdAt" text NOT NULL,
	"authId" text NOT NULL
);
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TABLE "application" ADD COLUMN "gitlabProjectId" integer;
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TABLE "application" ADD COLUMN "gitlabRepository" text;
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TABLE "application" ADD COLUMN "gitlabOwner" text;
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TABLE "application" ADD COLUMN "gitlabBranch" text;
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TABLE "application" ADD COLUMN "gitlabBuildPath" text DEFAULT '/';
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TABLE "application" ADD COLUMN "gitlabPathNamespace" text;
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TABLE "application" ADD COLUMN "bitbucketRepository" text;
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TABLE "application" ADD COLUMN "bitbucketOwner" text;
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TABLE "application" ADD COLUMN "bitbucketBranch" text;
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TABLE "application" ADD COLUMN "bitbucketBuildPath" text DEFAULT '/';
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TABLE "application" ADD COLUMN "githubId" text;
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TABLE "application" ADD COLUMN "gitlabId" text;
--> statement-breakpoint
-- 0033_white_hawkeye
ALTER TABLE "application" ADD COLUMN "bitbucketId" text;
--> statement-breakpoint
-- 0034_aspiring_secret_warriors
ALTER TABLE "application" ADD COLUMN "dockerBuildStage" text;
--> statement-breakpoint
-- 0037_legal_namor
ALTER TABLE "application" ADD COLUMN "serverId" text;
--> statement-breakpoint
-- 0037_legal_namor
ALTER TABLE "postgres" ADD COLUMN "serverId" text;
--> statement-breakpoint
-- 0037_legal_namor
ALTER TABLE "mariadb" ADD COLUMN "serverId" text;
--> statement-breakpoint
-- 0037_legal_namor
ALTER TABLE "mongo" ADD COLUMN "serverId" text;
--> statement-breakpoint
-- 0037_legal_namor
ALTER TABLE "mysql" ADD COLUMN "serverId" text;
--> statement-breakpoint
-- 0037_legal_namor
ALTER TABLE "redis" ADD COLUMN "serverId" text;
--> statement-breakpoint
-- 0039_many_tiger_shark
ALTER TABLE "git_provider" DROP CONSTRAINT "git_provider_authId_auth_id_fk";
--> statement-breakpoint
-- 0039_many_tiger_shark
ALTER TABLE "git_provider" ADD COLUMN "adminId" text;
--> statement-breakpoint
-- 0039_many_tiger_shark
ALTER TABLE "git_provider" DROP COLUMN IF EXISTS "authId";
--> statement-breakpoint
-- 0046_purple_sleeper
ALTER TABLE "application" ADD COLUMN "registryUrl" text;
--> statement-breakpoint
-- 0047_tidy_revanche
ALTER TABLE "application" ADD COLUMN "herokuVersion" text;
--> statement-breakpoint
-- 0048_flat_expediter
ALTER TABLE "application" ALTER COLUMN "herokuVersion" SET DEFAULT '24';
--> statement-breakpoint
-- 0049_dark_leopardon
ALTER TYPE "domainType" ADD VALUE 'preview';
--> statement-breakpoint
-- 0049_dark_leopardon
ALTER TABLE "application" ADD COLUMN "previewEnv" text;
--> statement-breakpoint
-- 0049_dark_leopardon
ALTER TABLE "application" ADD COLUMN "previewBuildArgs" text;
--> statement-breakpoint
-- 0049_dark_leopardon
ALTER TABLE "application" ADD COLUMN "previewWildcard" text;
--> statement-breakpoint
-- 0049_dark_leopardon
ALTER TABLE "application" ADD COLUMN "previewPort" integer DEFAULT 3000;
--> statement-breakpoint
-- 0049_dark_leopardon
ALTER TABLE "application" ADD COLUMN "previewHttps" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
-- 0049_dark_leopardon
ALTER TABLE "application" ADD COLUMN "previewPath" text DEFAULT '/';
--> statement-breakpoint
-- 0049_dark_leopardon
ALTER TABLE "application" ADD COLUMN "certificateType" "certificateType" DEFAULT 'none' NOT NULL;
--> statement-breakpoint
-- 0049_dark_leopardon
ALTER TABLE "application" ADD COLUMN "previewLimit" integer DEFAULT 3;
--> statement-breakpoint
-- 0049_dark_leopardon
ALTER TABLE "application" ADD COLUMN "isPreviewDeploymentsActive" boolean DEFAULT false;
--> statement-breakpoint
-- 0053_broken_kulan_gath
ALTER TABLE "mongo" ADD COLUMN "replicaSets" boolean DEFAULT false;
--> statement-breakpoint
-- 0054_nervous_spencer_smythe
ALTER TABLE "application" ALTER COLUMN "memoryReservation" SET DATA TYPE text;
--> statement-breakpoint
-- 0054_nervous_spencer_smythe
ALTER TABLE "application" ALTER COLUMN "memoryLimit" SET DATA TYPE text;
--> statement-breakpoint
-- 0054_nervous_spencer_smythe
ALTER TABLE "application" ALTER COLUMN "cpuReservation" SET DATA TYPE text;
--> statement-breakpoint
-- 0054_nervous_spencer_smythe
ALTER TABLE "application" ALTER COLUMN "cpuLimit" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "postgres" ALTER COLUMN "memoryReservation" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "postgres" ALTER COLUMN "memoryLimit" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "postgres" ALTER COLUMN "cpuReservation" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "postgres" ALTER COLUMN "cpuLimit" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "mariadb" ALTER COLUMN "memoryReservation" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "mariadb" ALTER COLUMN "memoryLimit" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "mariadb" ALTER COLUMN "cpuReservation" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "mariadb" ALTER COLUMN "cpuLimit" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "mongo" ALTER COLUMN "memoryReservation" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "mongo" ALTER COLUMN "memoryLimit" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "mongo" ALTER COLUMN "cpuReservation" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "mongo" ALTER COLUMN "cpuLimit" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "mysql" ALTER COLUMN "memoryReservation" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "mysql" ALTER COLUMN "memoryLimit" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "mysql" ALTER COLUMN "cpuReservation" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "mysql" ALTER COLUMN "cpuLimit" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "redis" ALTER COLUMN "memoryReservation" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "redis" ALTER COLUMN "memoryLimit" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "redis" ALTER COLUMN "cpuReservation" SET DATA TYPE text;
--> statement-breakpoint
-- 0055_next_serpent_society
ALTER TABLE "redis" ALTER COLUMN "cpuLimit" SET DATA TYPE text;
--> statement-breakpoint
-- 0056_majestic_skaar
ALTER TYPE "notificationType" ADD VALUE 'gotify';
--> statement-breakpoint
-- 0066_yielding_echo
CREATE TABLE "user_temp" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"isRegistered" boolean DEFAULT false NOT NULL,
	"expirationDate" text NOT NULL,
	"createdAt" text NOT NULL,
	"two_factor_enabled" boolean DEFAULT false NOT NULL,
	"email" text NOT NULL,
	"email_verified" boolean NOT NULL,
	"image" text,
	"banned" boolean,
	"ban_reason" text,
	"ban_expires" timestamp,
	"updated_at" timestamp NOT NULL,
	"serverIp" text,
	"certificateType" "certificateType" DEFAULT 'none' NOT NULL,
	"host" text,
	"letsEncryptEmail" text,
	"sshPrivateKey" text,
	"enableDockerCleanup" boolean DEFAULT false NOT NULL,
	"enableLogRotation" boolean DEFAULT false NOT NULL,
	"enablePaidFeatures" boolean DEFAULT false NOT NULL,
	"metricsConfig" jsonb DEFAULT '{"server":{"type":"Dokploy","refreshRate":60,"port":4500,"token":"","retentionDays":2,"cronJob":"","urlCallback":"","thresholds":{"cpu":0,"memory":0}},"containers":{"refreshRate":60,"services":{"include":[],"exclude":[]}}}'::jsonb NOT NULL,
	"cleanupCacheApplications" boolean DEFAULT false NOT NULL,
	"cleanupCacheOnPreviews" boolean DEFAULT false NOT NULL,
	"cleanupCacheOnCompose" boolean DEFAULT false NOT NULL,
	"stripeCustomerId" text,
	"stripeSubscriptionId" text,
	"serversQuantity" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "user_temp_email_unique" UNIQUE("email")
);
--> statement-breakpoint
-- 0066_yielding_echo
CREATE TABLE "session_temp" (
	"id" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp NOT NULL,
	"token" text NOT NULL,
	"created_at" timestamp NOT NULL,
	"updated_at" timestamp NOT NULL,
	"ip_address" text,
	"user_agent" text,
	"user_id" text NOT NULL,
	"impersonated_by" text,
	"active_organization_id" text,
	CONSTRAINT "session_temp_token_unique" UNIQUE("token")
);
--> statement-breakpoint
-- 0066_yielding_echo
CREATE TABLE "account" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"user_id" text NOT NULL,
	"access_token" text,
	"refresh_token" text,
	"id_token" text,
	"access_token_expires_at" timestamp,
	"refresh_token_expires_at" timestamp,
	"scope" text,
	"password" text,
	"is2FAEnabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp NOT NULL,
	"updated_at" timestamp NOT NULL,
	"resetPasswordToken" text,
	"resetPasswordExpiresAt" text,
	"confirmationToken" text,
	"confirmationExpiresAt" text
);
--> statement-breakpoint
-- 0066_yielding_echo
CREATE TABLE "invitation" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"email" text NOT NULL,
	"role" text,
	"status" text NOT NULL,
	"expires_at" timestamp NOT NULL,
	"inviter_id" text NOT NULL,
	"team_id" text
);
--> statement-breakpoint
-- 0066_yielding_echo
CREATE TABLE "member" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp NOT NULL,
	"canCreateProjects" boolean DEFAULT false NOT NULL,
	"canAccessToSSHKeys" boolean DEFAULT false NOT NULL,
	"canCreateServices" boolean DEFAULT false NOT NULL,
	"canDeleteProjects" boolean DEFAULT false NOT NULL,
	"canDeleteServices" boolean DEFAULT false NOT NULL,
	"canAccessToDocker" boolean DEFAULT false NOT NULL,
	"canAccessToAPI" boolean DEFAULT false NOT NULL,
	"canAccessToGitProviders" boolean DEFAULT false NOT NULL,
	"canAccessToTraefikFiles" boolean DEFAULT false NOT NULL,
	"accesedProjects" text[] DEFAULT ARRAY[]::text[] NOT NULL,
	"accesedServices" text[] DEFAULT ARRAY[]::text[] NOT NULL,
	"team_id" text
);
--> statement-breakpoint
-- 0066_yielding_echo
CREATE TABLE "organization" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"slug" text,
	"logo" text,
	"created_at" timestamp NOT NULL,
	"metadata" text,
	"owner_id" text NOT NULL,
	CONSTRAINT "organization_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
-- 0066_yielding_echo
CREATE TABLE "two_factor" (
	"id" text PRIMARY KEY NOT NULL,
	"secret" text NOT NULL,
	"backup_codes" text NOT NULL,
	"user_id" text NOT NULL
);
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
DELETE FROM "git_provider" WHERE "adminId" IS NULL;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "git_provider" ALTER COLUMN "adminId" SET NOT NULL ;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "session_temp" ADD CONSTRAINT "session_temp_user_id_user_temp_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_temp"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "account" ADD CONSTRAINT "account_user_id_user_temp_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_temp"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_inviter_id_user_temp_id_fk" FOREIGN KEY ("inviter_id") REFERENCES "public"."user_temp"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "member" ADD CONSTRAINT "member_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "member" ADD CONSTRAINT "member_user_id_user_temp_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_temp"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "organization" ADD CONSTRAINT "organization_owner_id_user_temp_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."user_temp"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "two_factor" ADD CONSTRAINT "two_factor_user_id_user_temp_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "apikey" ADD CONSTRAINT "apikey_user_id_user_temp_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "git_provider" RENAME COLUMN "adminId" TO "userId";
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "git_provider" DROP CONSTRAINT "git_provider_adminId_admin_adminId_fk";
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "project" ADD CONSTRAINT "project_userId_user_temp_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "destination" ADD CONSTRAINT "destination_userId_user_temp_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "certificate" ADD CONSTRAINT "certificate_userId_user_temp_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "registry" ADD CONSTRAINT "registry_userId_user_temp_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "notification" ADD CONSTRAINT "notification_userId_user_temp_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "ssh-key" ADD CONSTRAINT "ssh-key_userId_user_temp_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "git_provider" ADD CONSTRAINT "git_provider_userId_user_temp_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "server" ADD CONSTRAINT "server_userId_user_temp_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "user_temp" ADD COLUMN "created_at" timestamp DEFAULT now();
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "git_provider" ADD COLUMN "organizationId" text;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "project" ADD CONSTRAINT "project_organizationId_organization_id_fk" FOREIGN KEY ("organizationId") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "destination" ADD CONSTRAINT "destination_organizationId_organization_id_fk" FOREIGN KEY ("organizationId") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "certificate" ADD CONSTRAINT "certificate_organizationId_organization_id_fk" FOREIGN KEY ("organizationId") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "registry" ADD CONSTRAINT "registry_organizationId_organization_id_fk" FOREIGN KEY ("organizationId") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "notification" ADD CONSTRAINT "notification_organizationId_organization_id_fk" FOREIGN KEY ("organizationId") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "ssh-key" ADD CONSTRAINT "ssh-key_organizationId_organization_id_fk" FOREIGN KEY ("organizationId") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "git_provider" ADD CONSTRAINT "git_provider_organizationId_organization_id_fk" FOREIGN KEY ("organizationId") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "server" ADD CONSTRAINT "server_organizationId_organization_id_fk" FOREIGN KEY ("organizationId") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;




UPDATE "project" p
SET "organizationId" = (
    SELECT m."organization_id"
    FROM "member" m
    WHERE m."user_id" = p."userId"
    AND m."role" = 'owner'
    LIMIT 1
)
WHERE p."organizationId" IS NULL;

UPDATE "server" s
SET "organizationId" = (
    SELECT m."organization_id"
    FROM "member" m
    WHERE m."user_id" = s."userId"
    AND m."role" = 'owner'
    LIMIT 1
)
WHERE s."organizationId" IS NULL;

UPDATE "ssh-key" k
SET "organizationId" = (
    SELECT m."organization_id"
    FROM "member" m
    WHERE m."user_id" = k."userId"
    AND m."role" = 'owner'
    LIMIT 1
)
WHERE k."organizationId" IS NULL;

UPDATE "destination" d
SET "organizationId" = (
    SELECT m."organization_id"
    FROM "member" m
    WHERE m."user_id" = d."userId"
    AND m."role" = 'owner'
    LIMIT 1
)
WHERE d."organizationId" IS NULL;

UPDATE "registry" r
SET "organizationId" = (
    SELECT m."organization_id"
    FROM "member" m
    WHERE m."user_id" = r."userId"
    AND m."role" = 'owner'
    LIMIT 1
)
WHERE r."organizationId" IS NULL;

UPDATE "notification" n
SET "organizationId" = (
    SELECT m."organization_id"
    FROM "member" m
    WHERE m."user_id" = n."userId"
    AND m."role" = 'owner'
    LIMIT 1
)
WHERE n."organizationId" IS NULL;

UPDATE "certificate" c
SET "organizationId" = (
    SELECT m."organization_id"
    FROM "member" m
    WHERE m."user_id" = c."userId"
    AND m."role" = 'owner'
    LIMIT 1
)
WHERE c."organizationId" IS NULL;

UPDATE "git_provider" g
SET "organizationId" = (
    SELECT m."organization_id"
    FROM "member" m
    WHERE m."user_id" = g."userId"
    AND m."role" = 'owner'
    LIMIT 1
)
WHERE g."organizationId" IS NULL;

DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM "project" WHERE "organizationId" IS NULL
        UNION ALL
        SELECT 1 FROM "server" WHERE "organizationId" IS NULL
        UNION ALL
        SELECT 1 FROM "ssh-key" WHERE "organizationId" IS NULL
        UNION ALL
        SELECT 1 FROM "destination" WHERE "organizationId" IS NULL
        UNION ALL
        SELECT 1 FROM "registry" WHERE "organizationId" IS NULL
        UNION ALL
        SELECT 1 FROM "notification" WHERE "organizationId" IS NULL
        UNION ALL
        SELECT 1 FROM "certificate" WHERE "organizationId" IS NULL
        UNION ALL
        SELECT 1 FROM "git_provider" WHERE "organizationId" IS NULL
    ) THEN
        RAISE EXCEPTION 'Hay recursos sin organización asignada';
    END IF;
END $$;

ALTER TABLE "project" ALTER COLUMN "organizationId" SET NOT NULL;
ALTER TABLE "server" ALTER COLUMN "organizationId" SET NOT NULL;
ALTER TABLE "ssh-key" ALTER COLUMN "organizationId" SET NOT NULL;
ALTER TABLE "destination" ALTER COLUMN "organizationId" SET NOT NULL;
ALTER TABLE "registry" ALTER COLUMN "organizationId" SET NOT NULL;
ALTER TABLE "notification" ALTER COLUMN "organizationId" SET NOT NULL;
ALTER TABLE "certificate" ALTER COLUMN "organizationId" SET NOT NULL;
ALTER TABLE "git_provider" ALTER COLUMN "organizationId" SET NOT NULL;

CREATE INDEX IF NOT EXISTS "idx_project_organization" ON "project" ("organizationId");
CREATE INDEX IF NOT EXISTS "idx_server_organization" ON "server" ("organizationId");
CREATE INDEX IF NOT EXISTS "idx_sshkey_organization" ON "ssh-key" ("organizationId");
CREATE INDEX IF NOT EXISTS "idx_destination_organization" ON "destination" ("organizationId");
CREATE INDEX IF NOT EXISTS "idx_registry_organization" ON "registry" ("organizationId");
CREATE INDEX IF NOT EXISTS "idx_notification_organization" ON "notification" ("organizationId");
CREATE INDEX IF NOT EXISTS "idx_certificate_organization" ON "certificate" ("organizationId");
CREATE INDEX IF NOT EXISTS "idx_git_provider_organization" ON "git_provider" ("organizationId");





ALTER TABLE "project" DROP CONSTRAINT "project_userId_user_temp_id_fk";
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "git_provider" DROP CONSTRAINT "git_provider_userId_user_temp_id_fk";
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "git_provider" ALTER COLUMN "organizationId" SET NOT NULL;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "git_provider" DROP COLUMN "userId";
--> statement-breakpoint
-- 0066_yielding_echo
DROP TYPE "public"."Roles";
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "account" DROP CONSTRAINT "account_user_id_user_temp_id_fk";
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "invitation" DROP CONSTRAINT "invitation_organization_id_organization_id_fk";
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "invitation" DROP CONSTRAINT "invitation_inviter_id_user_temp_id_fk";
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "member" DROP CONSTRAINT "member_organization_id_organization_id_fk";
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "member" DROP CONSTRAINT "member_user_id_user_temp_id_fk";
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "organization" DROP CONSTRAINT "organization_owner_id_user_temp_id_fk";
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "account" ADD CONSTRAINT "account_user_id_user_temp_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_inviter_id_user_temp_id_fk" FOREIGN KEY ("inviter_id") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "member" ADD CONSTRAINT "member_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "member" ADD CONSTRAINT "member_user_id_user_temp_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "organization" ADD CONSTRAINT "organization_owner_id_user_temp_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "session_temp" DROP CONSTRAINT "session_temp_user_id_user_temp_id_fk";
--> statement-breakpoint
-- 0066_yielding_echo
ALTER TABLE "session_temp" ADD CONSTRAINT "session_temp_user_id_user_temp_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0068_complex_rhino
ALTER TABLE "ai" ADD CONSTRAINT "ai_organizationId_organization_id_fk" FOREIGN KEY ("organizationId") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0069_legal_bill_hollister
ALTER TYPE "public"."buildType" ADD VALUE 'railpack';
--> statement-breakpoint
-- 0071_flaky_black_queen
ALTER TABLE "user_temp" ADD COLUMN "logCleanupCron" text;
--> statement-breakpoint
-- 0072_green_susan_delgado
ALTER TYPE "public"."certificateType" ADD VALUE 'custom';
--> statement-breakpoint
-- 0073_hot_domino
ALTER TABLE "application" ADD COLUMN "previewCertificateProvider" text;
--> statement-breakpoint
-- 0074_black_quasar
ALTER TABLE "application" RENAME COLUMN "previewCertificateProvider" TO "previewCustomCertResolver";
--> statement-breakpoint
-- 0075_young_typhoid_mary
ALTER TABLE "application" ADD COLUMN "watchPaths" text[];
--> statement-breakpoint
-- 0077_chemical_dreadnoughts
ALTER TABLE "backup" ADD COLUMN "keepLatestCount" integer;
--> statement-breakpoint
-- 0078_uneven_omega_sentinel
ALTER TABLE "application" ADD COLUMN "cleanCache" boolean DEFAULT false;
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
-- 0079_bizarre_wendell_rand
ALTER TABLE "application" ADD COLUMN "giteaProjectId" integer;
--> statement-breakpoint
-- 0079_bizarre_wendell_rand
ALTER TABLE "application" ADD COLUMN "giteaRepository" text;
--> statement-breakpoint
-- 0079_bizarre_wendell_rand
ALTER TABLE "application" ADD COLUMN "giteaOwner" text;
--> statement-breakpoint
-- 0079_bizarre_wendell_rand
ALTER TABLE "application" ADD COLUMN "giteaBranch" text;
--> statement-breakpoint
-- 0079_bizarre_wendell_rand
ALTER TABLE "application" ADD COLUMN "giteaBuildPath" text DEFAULT '/';
--> statement-breakpoint
-- 0079_bizarre_wendell_rand
ALTER TABLE "application" ADD COLUMN "giteaId" text;
--> statement-breakpoint
-- 0079_bizarre_wendell_rand
ALTER TABLE "gitea" ADD CONSTRAINT "gitea_gitProviderId_git_provider_gitProviderId_fk" FOREIGN KEY ("gitProviderId") REFERENCES "public"."git_provider"("gitProviderId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0079_bizarre_wendell_rand
ALTER TABLE "application" ADD CONSTRAINT "application_giteaId_gitea_giteaId_fk" FOREIGN KEY ("giteaId") REFERENCES "public"."gitea"("giteaId") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
-- 0080_sleepy_sinister_six
ALTER TABLE "application" DROP COLUMN "giteaProjectId";
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
-- 0084_thin_iron_lad
ALTER TABLE "user_temp" ADD COLUMN "https" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
-- 0085_equal_captain_stacy
ALTER TABLE "application" ADD COLUMN "enableSubmodules" boolean DEFAULT false;
--> statement-breakpoint
-- 0086_rainy_gertrude_yorkes
ALTER TABLE "application" ALTER COLUMN "enableSubmodules" SET NOT NULL;
--> statement-breakpoint
-- 0087_lively_risque
CREATE TYPE "public"."triggerType" AS ENUM('push', 'tag');
--> statement-breakpoint
-- 0087_lively_risque
ALTER TABLE "application" ADD COLUMN "triggerType" "triggerType" DEFAULT 'push';
--> statement-breakpoint
-- 0088_illegal_ma_gnuci
CREATE TYPE "public"."scheduleType" AS ENUM('application', 'compose', 'server', 'dokploy-server');
--> statement-breakpoint
-- 0088_illegal_ma_gnuci
CREATE TYPE "public"."shellType" AS ENUM('bash', 'sh');
--> statement-breakpoint
-- 0088_illegal_ma_gnuci
CREATE TABLE "schedule" (
	"scheduleId" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"cronExpression" text NOT NULL,
	"appName" text NOT NULL,
	"serviceName" text,
	"shellType" "shellType" DEFAULT 'bash' NOT NULL,
	"scheduleType" "scheduleType" DEFAULT 'application' NOT NULL,
	"command" text NOT NULL,
	"script" text,
	"applicationId" text,
	"composeId" text,
	"serverId" text,
	"userId" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"createdAt" text NOT NULL
);
--> statement-breakpoint
-- 0088_illegal_ma_gnuci
ALTER TABLE "schedule" ADD CONSTRAINT "schedule_applicationId_application_applicationId_fk" FOREIGN KEY ("applicationId") REFERENCES "public"."application"("applicationId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0088_illegal_ma_gnuci
ALTER TABLE "schedule" ADD CONSTRAINT "schedule_composeId_compose_composeId_fk" FOREIGN KEY ("composeId") REFERENCES "public"."compose"("composeId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0088_illegal_ma_gnuci
ALTER TABLE "schedule" ADD CONSTRAINT "schedule_serverId_server_serverId_fk" FOREIGN KEY ("serverId") REFERENCES "public"."server"("serverId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0088_illegal_ma_gnuci
ALTER TABLE "schedule" ADD CONSTRAINT "schedule_userId_user_temp_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0088_illegal_ma_gnuci
ALTER TABLE "deployment" ADD CONSTRAINT "deployment_scheduleId_schedule_scheduleId_fk" FOREIGN KEY ("scheduleId") REFERENCES "public"."schedule"("scheduleId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0089_noisy_sandman
CREATE TYPE "public"."backupType" AS ENUM('database', 'compose');
--> statement-breakpoint
-- 0089_noisy_sandman
ALTER TABLE "backup" ADD COLUMN "appName" text;
--> statement-breakpoint
-- 0089_noisy_sandman
UPDATE "backup" 
SET "appName" = 'backup-' || 
    (
        ARRAY['optimize', 'parse', 'quantify', 'bypass', 'override', 'generate',
            'secure', 'hack', 'backup', 'connect', 'index', 'compress']::text[]
    )[floor(random() * 12) + 1] || '-' ||
    (
        ARRAY['digital', 'virtual', 'mobile', 'neural', 'optical', 'auxiliary',
            'primary', 'backup', 'wireless', 'haptic', 'solid-state']::text[]
    )[floor(random() * 11) + 1] || '-' ||
    (
        ARRAY['driver', 'protocol', 'array', 'matrix', 'system', 'bandwidth',
            'monitor', 'firewall', 'card', 'sensor', 'bus']::text[]
    )[floor(random() * 11) + 1] || '-' ||
    substr(md5(random()::text), 1, 6);
--> statement-breakpoint
-- 0089_noisy_sandman
ALTER TABLE "backup" ALTER COLUMN "appName" SET NOT NULL;
--> statement-breakpoint
-- 0089_noisy_sandman
ALTER TABLE "backup" ADD COLUMN "serviceName" text;
--> statement-breakpoint
-- 0089_noisy_sandman
ALTER TABLE "backup" ADD COLUMN "backupType" "backupType" DEFAULT 'database' NOT NULL;
--> statement-breakpoint
-- 0089_noisy_sandman
ALTER TABLE "backup" ADD COLUMN "composeId" text;
--> statement-breakpoint
-- 0089_noisy_sandman
ALTER TABLE "backup" ADD COLUMN "metadata" jsonb;
--> statement-breakpoint
-- 0089_noisy_sandman
ALTER TABLE "backup" ADD CONSTRAINT "backup_composeId_compose_composeId_fk" FOREIGN KEY ("composeId") REFERENCES "public"."compose"("composeId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0089_noisy_sandman
ALTER TABLE "deployment" ADD CONSTRAINT "deployment_backupId_backup_backupId_fk" FOREIGN KEY ("backupId") REFERENCES "public"."backup"("backupId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0089_noisy_sandman
ALTER TABLE "backup" ADD CONSTRAINT "backup_appName_unique" UNIQUE("appName");
--> statement-breakpoint
-- 0090_clean_wolf_cub
ALTER TABLE "user_temp" ADD COLUMN "allowImpersonation" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
-- 0091_spotty_kulan_gath
ALTER TABLE "user_temp" ADD COLUMN "role" text DEFAULT 'user' NOT NULL;
--> statement-breakpoint
-- 0092_stiff_the_watchers
ALTER TABLE "application" ADD COLUMN "isStaticSpa" boolean;
--> statement-breakpoint
-- 0093_nice_gorilla_man
ALTER TABLE "user_temp" ALTER COLUMN "logCleanupCron" SET DEFAULT '0 0 * * *';
--> statement-breakpoint
-- 0093_nice_gorilla_man
UPDATE "user_temp" SET "logCleanupCron" = '0 0 * * *' WHERE "logCleanupCron" IS NULL;
--> statement-breakpoint
-- 0094_numerous_carmella_unuscione
ALTER TABLE "git_provider" ADD COLUMN "userId" text;
--> statement-breakpoint
-- 0094_numerous_carmella_unuscione
UPDATE "git_provider" 
SET "userId" = (
    SELECT o."owner_id" 
    FROM "organization" o 
    WHERE o.id = "git_provider"."organizationId"
);
--> statement-breakpoint
-- 0094_numerous_carmella_unuscione
ALTER TABLE "git_provider" ALTER COLUMN "userId" SET NOT NULL;
--> statement-breakpoint
-- 0094_numerous_carmella_unuscione
ALTER TABLE "git_provider" ADD CONSTRAINT "git_provider_userId_user_temp_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user_temp"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0095_curly_justice
ALTER TABLE "application" ADD COLUMN "rollbackActive" boolean DEFAULT false;
--> statement-breakpoint
-- 0099_wise_golden_guardian
CREATE TYPE "public"."publishModeType" AS ENUM('ingress', 'host');
--> statement-breakpoint
-- 0101_moaning_blazing_skull
ALTER TABLE "volume_backup" ADD CONSTRAINT "volume_backup_applicationId_application_applicationId_fk" FOREIGN KEY ("applicationId") REFERENCES "public"."application"("applicationId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0101_moaning_blazing_skull
ALTER TABLE "volume_backup" ADD CONSTRAINT "volume_backup_postgresId_postgres_postgresId_fk" FOREIGN KEY ("postgresId") REFERENCES "public"."postgres"("postgresId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0101_moaning_blazing_skull
ALTER TABLE "volume_backup" ADD CONSTRAINT "volume_backup_mariadbId_mariadb_mariadbId_fk" FOREIGN KEY ("mariadbId") REFERENCES "public"."mariadb"("mariadbId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0101_moaning_blazing_skull
ALTER TABLE "volume_backup" ADD CONSTRAINT "volume_backup_mongoId_mongo_mongoId_fk" FOREIGN KEY ("mongoId") REFERENCES "public"."mongo"("mongoId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0101_moaning_blazing_skull
ALTER TABLE "volume_backup" ADD CONSTRAINT "volume_backup_mysqlId_mysql_mysqlId_fk" FOREIGN KEY ("mysqlId") REFERENCES "public"."mysql"("mysqlId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0101_moaning_blazing_skull
ALTER TABLE "volume_backup" ADD CONSTRAINT "volume_backup_redisId_redis_redisId_fk" FOREIGN KEY ("redisId") REFERENCES "public"."redis"("redisId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0103_cultured_pestilence
ALTER TABLE "application" ADD COLUMN "previewRequireCollaboratorPermissions" boolean DEFAULT true;
--> statement-breakpoint
-- 0104_omniscient_randall
ALTER TABLE "application" ADD COLUMN "railpackVersion" text DEFAULT '0.2.2';
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "postgres" ADD COLUMN "healthCheckSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "postgres" ADD COLUMN "restartPolicySwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "postgres" ADD COLUMN "placementSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "postgres" ADD COLUMN "updateConfigSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "postgres" ADD COLUMN "rollbackConfigSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "postgres" ADD COLUMN "modeSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "postgres" ADD COLUMN "labelsSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "postgres" ADD COLUMN "networkSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "postgres" ADD COLUMN "replicas" integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mariadb" ADD COLUMN "healthCheckSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mariadb" ADD COLUMN "restartPolicySwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mariadb" ADD COLUMN "placementSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mariadb" ADD COLUMN "updateConfigSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mariadb" ADD COLUMN "rollbackConfigSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mariadb" ADD COLUMN "modeSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mariadb" ADD COLUMN "labelsSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mariadb" ADD COLUMN "networkSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mariadb" ADD COLUMN "replicas" integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mongo" ADD COLUMN "healthCheckSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mongo" ADD COLUMN "restartPolicySwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mongo" ADD COLUMN "placementSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mongo" ADD COLUMN "updateConfigSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mongo" ADD COLUMN "rollbackConfigSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mongo" ADD COLUMN "modeSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mongo" ADD COLUMN "labelsSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mongo" ADD COLUMN "networkSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mongo" ADD COLUMN "replicas" integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mysql" ADD COLUMN "healthCheckSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mysql" ADD COLUMN "restartPolicySwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mysql" ADD COLUMN "placementSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mysql" ADD COLUMN "updateConfigSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mysql" ADD COLUMN "rollbackConfigSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mysql" ADD COLUMN "modeSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mysql" ADD COLUMN "labelsSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mysql" ADD COLUMN "networkSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "mysql" ADD COLUMN "replicas" integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "redis" ADD COLUMN "healthCheckSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "redis" ADD COLUMN "restartPolicySwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "redis" ADD COLUMN "placementSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "redis" ADD COLUMN "updateConfigSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "redis" ADD COLUMN "rollbackConfigSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "redis" ADD COLUMN "modeSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "redis" ADD COLUMN "labelsSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "redis" ADD COLUMN "networkSwarm" json;
--> statement-breakpoint
-- 0105_clumsy_quicksilver
ALTER TABLE "redis" ADD COLUMN "replicas" integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
-- 0106_purple_maggott
ALTER TABLE "application" ADD COLUMN "previewLabels" text[];
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "application" ADD COLUMN "environmentId" text;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "postgres" ADD COLUMN "environmentId" text;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "mariadb" ADD COLUMN "environmentId" text;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "mongo" ADD COLUMN "environmentId" text;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "mysql" ADD COLUMN "environmentId" text;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "redis" ADD COLUMN "environmentId" text;
--> statement-breakpoint
-- 0107_loud_kang
UPDATE "application" 
SET "environmentId" = (
    SELECT e."environmentId" 
    FROM "environment" e 
    WHERE e."projectId" = "application"."projectId" 
    AND e."name" = 'production'
    LIMIT 1
);
--> statement-breakpoint
-- 0107_loud_kang
UPDATE "mariadb" 
SET "environmentId" = (
    SELECT e."environmentId" 
    FROM "environment" e 
    WHERE e."projectId" = "mariadb"."projectId" 
    AND e."name" = 'production'
    LIMIT 1
);
--> statement-breakpoint
-- 0107_loud_kang
UPDATE "mongo" 
SET "environmentId" = (
    SELECT e."environmentId" 
    FROM "environment" e 
    WHERE e."projectId" = "mongo"."projectId" 
    AND e."name" = 'production'
    LIMIT 1
);
--> statement-breakpoint
-- 0107_loud_kang
UPDATE "mysql" 
SET "environmentId" = (
    SELECT e."environmentId" 
    FROM "environment" e 
    WHERE e."projectId" = "mysql"."projectId" 
    AND e."name" = 'production'
    LIMIT 1
);
--> statement-breakpoint
-- 0107_loud_kang
UPDATE "postgres" 
SET "environmentId" = (
    SELECT e."environmentId" 
    FROM "environment" e 
    WHERE e."projectId" = "postgres"."projectId" 
    AND e."name" = 'production'
    LIMIT 1
);
--> statement-breakpoint
-- 0107_loud_kang
UPDATE "redis" 
SET "environmentId" = (
    SELECT e."environmentId" 
    FROM "environment" e 
    WHERE e."projectId" = "redis"."projectId" 
    AND e."name" = 'production'
    LIMIT 1
);
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "application" DROP CONSTRAINT "application_projectId_project_projectId_fk";
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "postgres" DROP CONSTRAINT "postgres_projectId_project_projectId_fk";
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "mariadb" DROP CONSTRAINT "mariadb_projectId_project_projectId_fk";
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "mongo" DROP CONSTRAINT "mongo_projectId_project_projectId_fk";
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "mysql" DROP CONSTRAINT "mysql_projectId_project_projectId_fk";
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "redis" DROP CONSTRAINT "redis_projectId_project_projectId_fk";
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "application" ALTER COLUMN "environmentId" SET NOT NULL;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "mariadb" ALTER COLUMN "environmentId" SET NOT NULL;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "mongo" ALTER COLUMN "environmentId" SET NOT NULL;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "mysql" ALTER COLUMN "environmentId" SET NOT NULL;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "postgres" ALTER COLUMN "environmentId" SET NOT NULL;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "redis" ALTER COLUMN "environmentId" SET NOT NULL;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "application" ADD CONSTRAINT "application_environmentId_environment_environmentId_fk" FOREIGN KEY ("environmentId") REFERENCES "public"."environment"("environmentId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "postgres" ADD CONSTRAINT "postgres_environmentId_environment_environmentId_fk" FOREIGN KEY ("environmentId") REFERENCES "public"."environment"("environmentId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "mariadb" ADD CONSTRAINT "mariadb_environmentId_environment_environmentId_fk" FOREIGN KEY ("environmentId") REFERENCES "public"."environment"("environmentId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "mongo" ADD CONSTRAINT "mongo_environmentId_environment_environmentId_fk" FOREIGN KEY ("environmentId") REFERENCES "public"."environment"("environmentId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "mysql" ADD CONSTRAINT "mysql_environmentId_environment_environmentId_fk" FOREIGN KEY ("environmentId") REFERENCES "public"."environment"("environmentId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "redis" ADD CONSTRAINT "redis_environmentId_environment_environmentId_fk" FOREIGN KEY ("environmentId") REFERENCES "public"."environment"("environmentId") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "application" DROP COLUMN "projectId";
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "postgres" DROP COLUMN "projectId";
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "mariadb" DROP COLUMN "projectId";
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "mongo" DROP COLUMN "projectId";
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "mysql" DROP COLUMN "projectId";
--> statement-breakpoint
-- 0107_loud_kang
ALTER TABLE "redis" DROP COLUMN "projectId";
--> statement-breakpoint
-- 0109_remarkable_sauron
ALTER TABLE "member" ADD COLUMN "accessedEnvironments" text[] DEFAULT ARRAY[]::text[] NOT NULL;
--> statement-breakpoint
-- 0110_red_psynapse
ALTER TYPE "public"."notificationType" ADD VALUE 'ntfy';
--> statement-breakpoint
-- 0113_complete_rafael_vega
ALTER TYPE "public"."deploymentStatus" ADD VALUE 'cancelled';
--> statement-breakpoint
-- 0114_dry_black_tom
ALTER TABLE "application" ADD COLUMN "stopGracePeriodSwarm" bigint;
--> statement-breakpoint
-- 0114_dry_black_tom
ALTER TABLE "mariadb" ADD COLUMN "stopGracePeriodSwarm" bigint;
--> statement-breakpoint
-- 0114_dry_black_tom
ALTER TABLE "mongo" ADD COLUMN "stopGracePeriodSwarm" bigint;
--> statement-breakpoint
-- 0114_dry_black_tom
ALTER TABLE "mysql" ADD COLUMN "stopGracePeriodSwarm" bigint;
--> statement-breakpoint
-- 0114_dry_black_tom
ALTER TABLE "postgres" ADD COLUMN "stopGracePeriodSwarm" bigint;
--> statement-breakpoint
-- 0114_dry_black_tom
ALTER TABLE "redis" ADD COLUMN "stopGracePeriodSwarm" bigint;
--> statement-breakpoint
-- 0115_serious_black_bird
ALTER TABLE "member" ADD COLUMN "canCreateEnvironments" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
-- 0116_amusing_firedrake
ALTER TABLE "member" ADD COLUMN "canDeleteEnvironments" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
-- 0117_lumpy_nuke
ALTER TABLE "application" ADD COLUMN "previewBuildSecrets" text;
--> statement-breakpoint
-- 0117_lumpy_nuke
ALTER TABLE "application" ADD COLUMN "buildSecrets" text;
--> statement-breakpoint
-- 0118_loose_anita_blake
ALTER TYPE "public"."notificationType" ADD VALUE 'lark';
--> statement-breakpoint
-- 0119_bouncy_morbius
ALTER TABLE "member" ADD COLUMN "is_default" boolean DEFAULT false NOT NULL;
