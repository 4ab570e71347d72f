import { parseListenAddress } from '../../../config/listen-address.js';
import { UsageError } from '../../usage-error.js';

/**
 * `--listen HOST:PORT` as ferry.yaml writes listen addresses, plus port 0 ("any free port"),
 * which scripts and tests use and ferry.yaml rightly refuses.
 *
 * @example parseListenOption('127.0.0.1:0') // { host: '127.0.0.1', port: 0 }
 */
export function parseListenOption(text: string): { host: string; port: number } {
  const anyPort = /:0$/.test(text);
  const address = parseListenAddress(anyPort ? text.replace(/:0$/, ':1') : text);
  if (!address) {
    throw new UsageError(
      `--listen "${text}" is not an address; expected e.g. 127.0.0.1:7700 or :7700`,
    );
  }
  return anyPort ? { host: address.host, port: 0 } : address;
}
