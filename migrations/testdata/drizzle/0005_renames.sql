ALTER TABLE "comments" RENAME TO "replies";--> statement-breakpoint
ALTER TABLE "posts" RENAME COLUMN "title" TO "headline";--> statement-breakpoint
ALTER TABLE "replies" DROP CONSTRAINT "comments_post_author_uq";--> statement-breakpoint
ALTER TABLE "replies" DROP CONSTRAINT "comments_post_id_posts_id_fk";
--> statement-breakpoint
ALTER TABLE "replies" DROP CONSTRAINT "comments_author_id_users_id_fk";
--> statement-breakpoint
DROP INDEX "comments_post_idx";--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "replies_post_idx" ON "replies" USING btree ("post_id");--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_post_author_uq" UNIQUE("post_id","author_id");