-- The statements of the earlier migrations of dokploy-drizzle that name application, registry
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
-- 0005_cute_terror
CREATE TABLE IF NOT EXISTS "registry" (
	"registryId" text PRIMARY KEY NOT NULL,
	"registryName" text NOT NULL,
	"username" text NOT NULL,
	"password" text NOT NULL,
	"registryUrl" text NOT NULL,
	"createdAt" text NOT NULL,
	"selfHosted" "RegistryType" DEFAULT 'cloud' NOT NULL,
	"adminId" text NOT NULL
);
