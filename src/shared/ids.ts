import { randomBytes } from 'node:crypto';

/**
 * Short ids that sort by creation time: `<prefix>-<time base36><4 random hex>`.
 *
 * @example newId('dep') // 'dep-mbx3k2p1a3f9'
 */
export function newId(prefix: string, now: number = Date.now()): string {
  return `${prefix}-${now.toString(36).padStart(9, '0')}${randomBytes(2).toString('hex')}`;
}
