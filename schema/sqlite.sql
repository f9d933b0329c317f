-- schema/sqlite.sql: One API's tables (stub)
SELECT 1;
