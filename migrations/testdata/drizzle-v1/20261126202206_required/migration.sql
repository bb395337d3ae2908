ALTER TABLE "users" ADD COLUMN "handle" varchar(32) NOT NULL;--> statement-breakpoint
ALTER TABLE "posts" ALTER COLUMN "title" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "nickname" DROP DEFAULT;