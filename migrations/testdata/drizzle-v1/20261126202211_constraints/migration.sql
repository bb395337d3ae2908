ALTER TABLE "comments" ADD CONSTRAINT "comments_post_author_uq" UNIQUE("post_id","author_id");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_email_key" UNIQUE("email");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_score_positive" CHECK ("score" >= 0);