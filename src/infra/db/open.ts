import type { Database } from './database';
import { migrate } from './migrations';
import { openPglite } from './pglite';
import { openPostgres } from './postgres';
import type { DatabaseSettings } from './settings';

export { databaseSettings, type DatabaseSettings } from './settings';

/** Opens the database the settings name and brings its schema up to date. */
export async function openDatabase(settings: DatabaseSettings): Promise<Database> {
  const db = settings.url ? openPostgres({ url: settings.url }) : await openPglite({ dir: settings.dir });
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
