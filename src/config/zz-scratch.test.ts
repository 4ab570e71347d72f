import { readFileSync } from 'node:fs';
import { it } from 'vitest';
import { parseConfig } from './load-config.js';
it('scratch', () => {
  for (const f of (process.env.FILES ?? '').split(' ')) {
    try {
      console.log(JSON.stringify(parseConfig(readFileSync(f, 'utf8'), f).services, null, 1));
    } catch (e) {
      console.log((e as { format(): string }).format());
    }
  }
});
