import { setTimeout as sleep } from 'node:timers/promises';
import type { ConstantLoad } from '../../src/demo/constant-load.js';
import { eventually } from './deploy.js';
import type { FerryServer } from './ferry-server.js';

export interface RolloutBody {
  deployment: { id: string; phase: string; reason: string | null; version: string } | null;
  steps: { index: number; state: string }[];
  traffic: {
    canaryWeight: number;
    baselineWeight: number;
    active: string | null;
    preview: boolean;
  } | null;
}

export function getRollout(server: FerryServer): Promise<RolloutBody> {
  return server.get<RolloutBody>('/api/v1/rollouts/hello/prod');
}

/** Waits until the newest rollout is in `phase` (and, if given, at `step`). */
export function waitForPhase(
  server: FerryServer,
  phase: string,
  step?: number,
  timeoutMs = 30_000,
): Promise<RolloutBody> {
  return eventually(
    async () => {
      const r = await getRollout(server);
      const current = r.steps.find((s) => s.state === 'current')?.index;
      return r.deployment?.phase === phase && (step === undefined || current === step)
        ? r
        : undefined;
    },
    timeoutMs,
    `rollout ${phase}${step === undefined ? '' : ` at step ${step}`}`,
  );
}

export async function act(
  server: FerryServer,
  action: string,
  body: Record<string, unknown> = {},
): Promise<RolloutBody> {
  const res = await server.send('POST', `/api/v1/rollouts/hello/prod/${action}`, body);
  if (res.status !== 200) throw new Error(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as unknown as RolloutBody;
}

/** Share of responses from `version` among those answered during the next `ms`. */
export async function shareOver(load: ConstantLoad, version: string, ms: number) {
  const before = load.seenVersions();
  await sleep(ms);
  const after = load.seenVersions();
  const delta = (v: string) => (after[v] ?? 0) - (before[v] ?? 0);
  const total = Object.keys(after).reduce((sum, v) => sum + delta(v), 0);
  return { share: delta(version) / total, total };
}
