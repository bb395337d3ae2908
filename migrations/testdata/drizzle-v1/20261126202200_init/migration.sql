CREATE TYPE "status" AS ENUM('draft', 'published', 'archived');--> statement-breakpoint
CREATE TABLE "old_logs" (
	"id" serial PRIMARY KEY,
	"line" text
);
--> statement-breakpoint
CREATE TABLE "posts" (
	"id" serial PRIMARY KEY,
	"user_id" integer,
	"title" text,
	"status" "status" DEFAULT 'draft'::"status" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" serial PRIMARY KEY,
	"name" varchar(64),
	"email" text NOT NULL,
	"nickname" text DEFAULT 'anon',
	"score" integer,
	"legacy" text
);
--> statement-breakpoint
ALTER TABLE "posts" ADD CONSTRAINT "posts_user_id_users_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id");