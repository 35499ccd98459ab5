/** The SQLite store: opening, migrations, repositories. */
export {
  checkIntegrity,
  looksLikeSqlite,
  migrate,
  openDatabase,
  type OpenDatabaseOptions,
  schemaVersion,
} from "./db.ts";
export { CorruptDatabaseError, NewerSchemaError } from "./errors.ts";
export { LATEST_SCHEMA_VERSION, type Migration, MIGRATIONS } from "./migrations.ts";
export { openStore, type Store } from "./store.ts";
