import { describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { captureIo } from '../../test-api-server.js';

describe('ferry schema', () => {
  it('prints the JSON Schema of ferry.yaml on stdout', async () => {
    const out = captureIo();
    expect(await main(['schema'], out.io)).toBe(0);
    const schema = JSON.parse(out.stdout()) as {
      title: string;
      properties: Record<string, unknown>;
    };
    expect(schema.title).toBe('ferry.yaml');
    expect(schema.properties).toHaveProperty('services');
    expect(out.stderr()).toBe('');
  });
});
