import { sql } from "drizzle-orm";
import { pgTable, pgEnum, serial, text, varchar, integer, bigint, timestamp, index, check, unique } from "drizzle-orm/pg-core";
export const status = pgEnum("status", ["draft", "published", "hidden"]);
export const users = pgTable("users", {
  id: serial("id").primaryKey(),
  name: varchar("name", { length: 128 }),
  email: text("email").notNull().unique(),
  handle: varchar("handle", { length: 32 }).notNull(),
  nickname: text("nickname"),
  score: bigint("score", { mode: "number" }),
  legacy: varchar("legacy", { length: 10 }),
  bio: text("bio"),
  createdAt: timestamp("created_at").defaultNow().notNull(),
}, (t) => [index("users_email_idx").on(t.email), check("users_score_positive", sql`${t.score} >= 0`)]);
export const posts = pgTable("posts", {
  id: serial("id").primaryKey(),
  userId: integer("user_id").references(() => users.id),
  title: text("title").notNull(),
  status: status("status").default("draft").notNull(),
});
export const comments = pgTable("comments", {
  id: serial("id").primaryKey(),
  postId: integer("post_id").notNull().references(() => posts.id),
  authorId: integer("author_id").references(() => users.id),
  body: text("body").notNull(),
}, (t) => [index("comments_post_idx").on(t.postId), unique("comments_post_author_uq").on(t.postId, t.authorId)]);
export const oldLogs = pgTable("old_logs", { id: serial("id").primaryKey(), line: text("line") });
