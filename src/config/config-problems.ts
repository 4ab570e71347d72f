import { ConfigError } from '../errors/ferry-error.js';
import { parseConfig } from './load-config.js';

/**
 * The problems `parseConfig` reports for `text` (as `ferry.yaml`), one formatted line each
 * (`ferry.yaml:12:7 services.web.replicas: ...`); empty when the file is valid. For config tests.
 */
export function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'ferry.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.format().split('\n');
    throw error;
  }
  return [];
}
