import { pgTable, pgEnum, serial, text, varchar, integer } from "drizzle-orm/pg-core";
export const status = pgEnum("status", ["draft", "published", "archived"]);
export const users = pgTable("users", {
  id: serial("id").primaryKey(),
  name: varchar("name", { length: 64 }),
  email: text("email").notNull(),
  nickname: text("nickname").default("anon"),
  score: integer("score"),
  legacy: text("legacy"),
});
export const posts = pgTable("posts", {
  id: serial("id").primaryKey(),
  userId: integer("user_id").references(() => users.id),
  title: text("title"),
  status: status("status").default("draft").notNull(),
});
export const oldLogs = pgTable("old_logs", { id: serial("id").primaryKey(), line: text("line") });
