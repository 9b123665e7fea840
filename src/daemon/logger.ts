/** Re-export of src/util/logger.ts for the modules that still import the logger from here. */
export { createLogger, type LogLevel, type Logger } from '../util/logger.js';
