/**
 * The `airlock-server` entry point (bin/airlock-server.js): the commands themselves live in
 * commands/.
 */
export { main } from './commands/index.js';
export type { Io } from './commands/io.js';
