ALTER TABLE "users" ALTER COLUMN "name" SET DATA TYPE varchar(128) USING "name"::varchar(128);--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "score" SET DATA TYPE bigint USING "score"::bigint;--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "legacy" SET DATA TYPE varchar(10) USING "legacy"::varchar(10);