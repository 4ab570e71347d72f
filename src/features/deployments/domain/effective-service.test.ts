import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load-config.js';
import type { ServiceConfig } from './service-spec.js';
import { effectiveService } from './effective-service.js';

const yaml = `apiVersion: ferry.dev/v1
environments: [{ name: dev }, { name: prod }]
services:
  web:
    replicas: 1
    runtime: { local: { command: node server.js, env: { LOG: debug, PORT_HINT: "1" } } }
    routes: { dev: 127.0.0.1:8081, prod: 127.0.0.1:8080 }
    progressDeadline: 5m
    smoke: [{ path: /healthz }]
    analysis:
      errors:
        count: 3
        metrics: [{ name: error-rate, provider: { builtin: { metric: error_rate } }, max: 0.05 }]
      latency:
        count: 3
        metrics: [{ name: p99, provider: { builtin: { metric: latency_p99 } }, max: 500 }]
    strategy: { rolling: { postDeployAnalysis: { templates: [errors] } } }
    overrides:
      prod:
        replicas: 3
        env: { LOG: info }
        progressDeadline: 20m
        smoke: [{ path: /ready }]
        strategy:
          canary:
            steps: [{ setWeight: 20 }, { pause: { duration: 10s } }, { analysis: { templates: [errors] } }]
        analysis:
          errors:
            count: 5
            metrics: [{ name: error-rate, provider: { builtin: { metric: error_rate } }, max: 0.01 }]
`;

const web = parseConfig(yaml, 'ferry.yaml').services['web'] as ServiceConfig;

describe('effectiveService', () => {
  it('applies the environment override: replaced fields, env and analysis merged by name', () => {
    const prod = effectiveService(web, 'prod');
    expect(prod.replicas).toBe(3);
    expect(prod.runtime.local.env).toEqual({ LOG: 'info', PORT_HINT: '1' });
    expect(prod.runtime.local.command).toEqual(web.runtime.local.command);
    expect(prod.strategy.kind).toBe('canary');
    expect(prod.progressDeadlineMs).toBe(20 * 60_000);
    expect(prod.smoke.map((check) => check.path)).toEqual(['/ready']);
    expect(prod.analysis['errors']?.count).toBe(5);
    expect(prod.analysis['latency']).toEqual(web.analysis['latency']);
    expect(prod.routes).toEqual(web.routes);
    expect(prod.overrides).toEqual({});
  });

  it('is the service itself, without overrides, in an environment that has none', () => {
    const dev = effectiveService(web, 'dev');
    expect(dev).toEqual({ ...web, overrides: {} });
    expect(dev.strategy.kind).toBe('rolling');
    expect(dev.replicas).toBe(1);
    expect(dev.runtime.local.env).toEqual({ LOG: 'debug', PORT_HINT: '1' });
  });

  it('keeps every field an override leaves out', () => {
    const only = { ...web, overrides: { prod: { replicas: 2 } } };
    expect(effectiveService(only, 'prod')).toEqual({ ...web, replicas: 2, overrides: {} });
  });

  it('reads a spec stored before overrides existed, and never an inherited key', () => {
    const { overrides: _, ...stored } = web;
    expect(effectiveService(stored as ServiceConfig, 'prod')).toEqual({ ...web, overrides: {} });
    expect(effectiveService(web, 'constructor').replicas).toBe(1);
  });

  it('does not change the service it is given', () => {
    const before = JSON.stringify(web);
    effectiveService(web, 'prod');
    expect(JSON.stringify(web)).toBe(before);
  });
});
