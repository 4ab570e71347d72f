/** A ferry.yaml with one `hello` service in `prod`, tuned for quick rollouts: demo, tests, benchmarks. */
export function helloConfig(options: {
  readonly routePort: number;
  readonly replicas?: number;
  readonly drainTimeout?: string;
  readonly progressDeadline?: string;
  /** Default `200ms`. */
  readonly readinessInterval?: string;
  readonly maxSurge?: number;
  readonly maxUnavailable?: number;
  /** YAML of `strategy:`'s value, indented by 6 spaces; default a rolling update. */
  readonly strategy?: string;
  /** More YAML of the service (`analysis:`, `smoke:`, `inconclusive:` ...), indented by 4 spaces. */
  readonly service?: string;
}): string {
  return `apiVersion: ferry.dev/v1
environments:
  - name: prod
services:
  hello:
    replicas: ${options.replicas ?? 3}
    runtime:
      local:
        command: [node, server.js]
    routes:
      prod: 127.0.0.1:${options.routePort}
    health:
      readiness: { path: /healthz, interval: ${options.readinessInterval ?? '200ms'}, timeout: 1s, failureThreshold: 2 }
    strategy:
${options.strategy ?? `      rolling: { maxSurge: ${options.maxSurge ?? 1}, maxUnavailable: ${options.maxUnavailable ?? 0} }`}
    drainTimeout: ${options.drainTimeout ?? '5s'}
    progressDeadline: ${options.progressDeadline ?? '30s'}
${options.service ?? ''}`;
}
