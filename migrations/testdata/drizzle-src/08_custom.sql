-- Custom migration: written by hand, as `drizzle-kit generate --custom` expects.
-- This comment says DROP TABLE "users"; and ALTER TABLE users DROP COLUMN email; neither counts.
/* neither does this: DROP TABLE posts; */
CREATE SCHEMA IF NOT EXISTS "audit";
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "audit"."Events" ("Id" bigserial PRIMARY KEY, "Kind" text NOT NULL, "Payload" jsonb);
--> statement-breakpoint
ALTER TABLE "audit"."Events" ADD CONSTRAINT "Events_kind_check" CHECK ("Kind" <> '');
--> statement-breakpoint
COMMENT ON TABLE "users" IS 'DROP TABLE users; ALTER TABLE users DROP COLUMN email';
--> statement-breakpoint
update "users" set "nickname" = 'drop table users' where "nickname" is null; alter table "users" alter column "nickname" set default 'anon';
--> statement-breakpoint
ALTER TABLE IF EXISTS ONLY "public"."users" ADD COLUMN IF NOT EXISTS "locale" varchar(8) DEFAULT 'en' NOT NULL;
--> statement-breakpoint
ALTER TABLE "posts" ALTER COLUMN "user_id" SET DATA TYPE bigint USING "user_id"::bigint;
--> statement-breakpoint
-- sonic-release: compatible the previous release never reads replies.body
ALTER TABLE "replies" ALTER COLUMN "body" TYPE varchar(2000) USING left("body", 2000);
--> statement-breakpoint
DO $$
BEGIN
	ALTER TABLE "replies" ADD CONSTRAINT "replies_body_nonempty" CHECK ("body" <> '');
EXCEPTION
	WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$
BEGIN
	EXECUTE format('ALTER TABLE %I DROP COLUMN %I', 'users', 'legacy');
END $$;
--> statement-breakpoint
-- sonic-release: breaking the previous release caches every nickname at start-up
UPDATE "users" SET "nickname" = lower("nickname");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "posts_status_idx" ON "posts" USING btree ("status");
--> statement-breakpoint
DELETE FROM "replies" WHERE "body" = '';
