import { describe, expect, it } from 'vitest';
import { problemsOf } from './config-problems.js';

const config = (top: string, service: string) => `apiVersion: ferry.dev/v1
${top}environments:
  - name: prod
services:
  web:
    runtime:
      local: { command: node server.js, replicas: 80 }
${service}`;

describe('limits', () => {
  it('checks the service-level replicas', () => {
    const text = config('', '').replace(', replicas: 80 }', ' }\n    replicas: 65');
    expect(problemsOf(text)).toEqual([
      'ferry.yaml:8:15 services.web.replicas: 65 replicas is over the limit of 64; lower it, or raise limits.maxReplicas if you mean it',
    ]);
  });

  it('rejects 80 replicas and a 2h drainTimeout by default, at their lines', () => {
    expect(problemsOf(config('', '    drainTimeout: 2h\n'))).toEqual([
      expect.stringContaining(
        'ferry.yaml:7:51 services.web.runtime.local.replicas: 80 replicas is over the limit of 64',
      ),
      expect.stringContaining(
        'ferry.yaml:8:19 services.web.drainTimeout: a drainTimeout of 2h is over the limit of 1h',
      ),
    ]);
  });

  it('accepts them under raised limits, and checks the limits themselves', () => {
    const raised = 'limits: { maxReplicas: 100, maxDrainTimeout: 3h }\n';
    expect(problemsOf(config(raised, '    drainTimeout: 2h\n'))).toEqual([]);
    expect(problemsOf(config('limits: { maxReplicas: 0 }\n', ''))[0]).toContain(
      'ferry.yaml:2:24 limits.maxReplicas: expected an integer >= 1, got 0',
    );
  });
});
