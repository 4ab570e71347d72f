import { lockDataFolder, type DataFolderLock } from './data-folder-lock.js';
import { prepareDataFolder } from './data-folder.js';

/**
 * Prepares the data folder (created, writable, private modes) and locks it for this process.
 * Light to load: the CLI calls it before it loads the rest of the server.
 *
 * @example const folder = takeDataFolder('.ferry'); ...; folder.release()
 */
export function takeDataFolder(dataDir: string): DataFolderLock {
  return lockDataFolder(prepareDataFolder(dataDir));
}
