ALTER TABLE "comments" ADD CONSTRAINT "comments_post_author_uq" UNIQUE("post_id","author_id");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_email_unique" UNIQUE("email");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_score_positive" CHECK ("users"."score" >= 0);