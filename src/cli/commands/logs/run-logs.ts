import type { FerryClient } from '../../ferry-client.js';
import type { Instance, InstanceLogs } from '../../api-types.js';
import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { interruptSignal, sleep } from '../../interrupt-signal.js';
import { newLines } from './new-lines.js';

/** Which logs: every live instance of a service in an environment, or one instance. */
export type LogsInput =
  | {
      readonly kind: 'service';
      readonly service: string;
      readonly environment: string;
      readonly lines: number | undefined;
      readonly follow?: boolean;
    }
  | {
      readonly kind: 'instance';
      readonly id: string;
      readonly lines: number | undefined;
      readonly follow?: boolean;
    };

/** Lines asked for on each poll of `--follow`: enough to find where the last poll ended. */
const followWindow = 1000;
const failedPhases = ['Aborted', 'Failed', 'RolledBack'];

/**
 * Log lines on stdout, each prefixed with its instance id so interleaved output stays
 * attributable. A service's instances include those still starting and, when the latest
 * deployment failed, its stopped instances; each that is not ready gets a line on stderr with its
 * last readiness probe result. `--follow` keeps printing new lines (of new instances too) until
 * interrupted. `--json`: `{logs: [{id, lines}]}` in both forms (no `--follow`).
 */
export async function runLogs(input: LogsInput, context: CommandContext) {
  const { io, json } = context;
  const client = context.client();
  const seen = new Map<string, readonly string[]>();
  const described = new Map<string, string>();
  const round = async (lines: number | undefined): Promise<InstanceLogs[]> => {
    const instances =
      input.kind === 'instance'
        ? [{ id: input.id } as const]
        : await instancesOf(client, input.service, input.environment);
    const logs = await Promise.all(instances.map((i) => client.instanceLogs(i.id, lines)));
    if (json) return logs;
    for (const instance of instances) {
      const text = 'phase' in instance ? describeInstance(instance) : undefined;
      if (text && described.get(instance.id) !== text) writeLine(io.stderr, text);
      if (text) described.set(instance.id, text);
    }
    if (input.kind === 'service' && logs.length === 0 && seen.size === 0) {
      writeLine(io.stderr, `no live instances of ${input.service} in ${input.environment}`);
    }
    for (const { id, lines: all } of logs) {
      for (const line of newLines(seen.get(id), all)) writeLine(io.stdout, `${id} ${line}`);
      seen.set(id, all);
    }
    return logs;
  };
  const logs = await round(input.lines);
  if (json) {
    writeJson(io.stdout, { logs });
    return exitCodes.ok;
  }
  if (!input.follow) return exitCodes.ok;
  const interrupt = interruptSignal(io);
  try {
    for (;;) {
      await sleep(io.pollIntervalMs ?? 1000, interrupt.signal);
      if (interrupt.signal.aborted) return exitCodes.ok;
      await round(followWindow);
    }
  } finally {
    interrupt.dispose();
  }
}

/** Live instances, then the stopped ones of the latest deployment if it failed. */
async function instancesOf(
  client: FerryClient,
  service: string,
  environment: string,
): Promise<Instance[]> {
  const live = await client.instances({ service, environment });
  const [latest] = await client.deployments({ service, environment, limit: 1 }).catch(() => []);
  if (!latest || !failedPhases.includes(latest.phase)) return live;
  const failed = await client.instances({ deployment: latest.id }).catch(() => []);
  return [...live, ...failed.filter((f) => !live.some((l) => l.id === f.id))];
}

/** `web-prod-3 (v2) starting: readiness probe GET /healthz → 404, 3 times`; ready ones: none. */
function describeInstance(i: Instance): string | undefined {
  if (i.phase === 'ready') return undefined;
  const state = i.intent === 'stopped' ? 'stopped' : i.phase;
  const probe = i.probe ? `readiness probe ${i.probe}` : 'no readiness probe result yet';
  return `${i.id} (${i.version}) ${state}: ${i.intent === 'stopped' ? 'see its last lines' : probe}`;
}
