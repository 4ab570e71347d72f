import { describe, expect, it } from 'vitest';
import { configJsonSchema } from './config-json-schema.js';

interface JsonSchemaNode {
  type?: string;
  default?: unknown;
  required?: string[];
  additionalProperties?: unknown;
  properties?: Record<string, JsonSchemaNode>;
}

describe('configJsonSchema', () => {
  it('describes the raw YAML: strict maps, durations as strings, defaults as users write them', () => {
    // Round-tripping through JSON proves editors get exactly what the function returns.
    const schema = JSON.parse(JSON.stringify(configJsonSchema())) as JsonSchemaNode;
    expect(schema).toEqual(configJsonSchema());
    expect(schema).toHaveProperty('$schema', 'https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['apiVersion', 'environments', 'services']);
    expect(schema.additionalProperties).toBe(false);
    const services = schema.properties?.services as { additionalProperties: JsonSchemaNode };
    const service = services.additionalProperties;
    expect(service.required).toEqual(['runtime']);
    expect(service.properties?.drainTimeout).toMatchObject({ type: 'string', default: '30s' });
  });
});
