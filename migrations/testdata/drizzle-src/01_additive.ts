import { pgTable, pgEnum, serial, text, varchar, integer, timestamp, index } from "drizzle-orm/pg-core";
export const status = pgEnum("status", ["draft", "published", "archived", "hidden"]);
export const users = pgTable("users", {
  id: serial("id").primaryKey(),
  name: varchar("name", { length: 64 }),
  email: text("email").notNull(),
  nickname: text("nickname").default("anon"),
  score: integer("score"),
  legacy: text("legacy"),
  bio: text("bio"),
  createdAt: timestamp("created_at").defaultNow().notNull(),
}, (t) => [index("users_email_idx").on(t.email)]);
export const posts = pgTable("posts", {
  id: serial("id").primaryKey(),
  userId: integer("user_id").references(() => users.id),
  title: text("title"),
  status: status("status").default("draft").notNull(),
});
export const comments = pgTable("comments", {
  id: serial("id").primaryKey(),
  postId: integer("post_id").notNull().references(() => posts.id),
  authorId: integer("author_id").references(() => users.id),
  body: text("body").notNull(),
}, (t) => [index("comments_post_idx").on(t.postId)]);
export const oldLogs = pgTable("old_logs", { id: serial("id").primaryKey(), line: text("line") });
