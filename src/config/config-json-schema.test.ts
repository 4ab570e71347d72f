import { describe, expect, it } from 'vitest';
import { configJsonSchema } from './config-json-schema.js';

interface JsonSchemaNode {
  type?: string;
  default?: unknown;
  required?: string[];
  additionalProperties?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  enum?: unknown[];
  minProperties?: number;
  maxProperties?: number;
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

  it('lets a strategy name at most one kind and a canary step exactly one', () => {
    const schema = configJsonSchema() as JsonSchemaNode;
    const services = schema.properties?.services as { additionalProperties: JsonSchemaNode };
    const strategy = services.additionalProperties.properties?.strategy;
    expect(Object.keys(strategy?.properties ?? {})).toEqual(['rolling', 'canary', 'blueGreen']);
    expect(strategy).toMatchObject({ maxProperties: 1, additionalProperties: false });
    expect(strategy).not.toHaveProperty('minProperties');
    const canary = strategy?.properties?.canary;
    expect(canary?.required).toEqual(['steps']);
    const step = canary?.properties?.steps?.items;
    expect(Object.keys(step?.properties ?? {})).toEqual([
      'setWeight',
      'pause',
      'setCanaryScale',
      'setHeaderRoute',
      'setMirror',
      'analysis',
      'judge',
      'approval',
    ]);
    expect(step).toMatchObject({ minProperties: 1, maxProperties: 1, additionalProperties: false });
    expect(step?.properties?.setWeight).toMatchObject({ type: 'number', minimum: 0, maximum: 100 });
    const blueGreen = strategy?.properties?.blueGreen;
    expect(blueGreen?.properties?.scaleDownDelay).toMatchObject({ type: 'string', default: '30s' });
    expect(Object.keys(blueGreen?.properties?.prePromotionSteps?.items?.properties ?? {})).toEqual([
      'pause',
    ]);
  });

  it('describes analysis templates, their one-key providers, smoke checks and notifications', () => {
    const schema = configJsonSchema() as JsonSchemaNode;
    const services = schema.properties?.services as { additionalProperties: JsonSchemaNode };
    const service = services.additionalProperties.properties ?? {};
    expect(Object.keys(service)).toEqual(
      expect.arrayContaining(['analysis', 'smoke', 'inconclusive', 'notifications']),
    );
    const template = service.analysis?.additionalProperties as JsonSchemaNode;
    expect(template.required).toEqual(['metrics']);
    expect(template.properties?.interval).toMatchObject({ type: 'string', default: '10s' });
    const provider = template.properties?.metrics?.items?.properties?.provider;
    expect(Object.keys(provider?.properties ?? {})).toEqual([
      'builtin',
      'prometheus',
      'web',
      'command',
    ]);
    expect(provider).toMatchObject({ minProperties: 1, maxProperties: 1 });
    expect(provider?.properties?.builtin?.properties?.metric?.enum).toContain('latency_p99');
    expect(provider?.properties?.prometheus?.required).toEqual(['address', 'query']);
    expect(service.smoke?.items?.properties?.timeout).toMatchObject({ default: '5s' });
  });

  it('describes overrides: per environment, the fields an override may set, strictly', () => {
    const schema = configJsonSchema() as JsonSchemaNode;
    const services = schema.properties?.services as { additionalProperties: JsonSchemaNode };
    const overrides = services.additionalProperties.properties?.overrides;
    expect(overrides).toMatchObject({ type: 'object' });
    const override = overrides?.additionalProperties as JsonSchemaNode;
    expect(Object.keys(override.properties ?? {})).toEqual([
      'replicas',
      'env',
      'strategy',
      'analysis',
      'smoke',
      'progressDeadline',
    ]);
    expect(override).toMatchObject({ additionalProperties: false });
    expect(override.required).toBeUndefined();
    expect(override.properties?.strategy).toMatchObject({ maxProperties: 1 });
    expect(override.properties?.progressDeadline).toMatchObject({ type: 'string' });
    expect(override.properties?.smoke?.items?.required).toEqual(['path']);
  });
});
