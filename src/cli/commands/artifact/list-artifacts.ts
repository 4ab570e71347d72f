import type { ArtifactView } from '../../api-types.js';
import { writeJson } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { renderTable } from '../../render-table.js';
import { formatSize } from './format-size.js';

/**
 * A table of a service's artifacts, newest first: where each ran (`prod live`, `staging
 * Failed`) and its gates, newest report per gate. `--json`: `{artifacts}`.
 */
export async function listArtifacts(service: string, context: CommandContext): Promise<number> {
  const artifacts = await context.client().artifacts(service);
  if (context.json) {
    writeJson(context.io.stdout, { artifacts });
    return exitCodes.ok;
  }
  const rows = artifacts.map((a) => [
    a.version,
    a.digest.slice(7, 19),
    formatSize(a.sizeBytes),
    a.sourceCommit?.slice(0, 12),
    a.branch,
    a.createdAt,
    ranIn(a),
    gatesOf(a),
  ]);
  context.io.stdout.write(
    renderTable(
      ['version', 'digest', 'size', 'commit', 'branch', 'created', 'ran in', 'gates'],
      rows,
    ),
  );
  return exitCodes.ok;
}

/**
 * One artifact, a field per line, then its deployments per environment with phase and time.
 * `--json`: the artifact with `liveIn`, `environments`, `deployments` and `gates`.
 */
export async function showArtifact(
  service: string,
  version: string,
  context: CommandContext,
): Promise<number> {
  const a = await context.client().artifact(service, version);
  const { stdout } = context.io;
  if (context.json) {
    writeJson(stdout, a);
    return exitCodes.ok;
  }
  const meta = Object.entries(a.meta).map(([k, v]) => `${k}=${v}`);
  const fields: [string, string][] = [
    ['service', a.service],
    ['version', a.version],
    ['digest', a.digest],
    ['size', formatSize(a.sizeBytes)],
    ['commit', a.sourceCommit ?? '-'],
    ['branch', a.branch ?? '-'],
    ['build', a.buildUrl ?? '-'],
    ['meta', meta.join(', ') || '-'],
    ['created', a.createdAt],
    ['live in', a.liveIn.join(', ') || '-'],
  ];
  for (const [key, value] of fields) stdout.write(`${`${key}:`.padEnd(10)}${value}\n`);
  stdout.write('\ngates:\n');
  if (a.gates === null) stdout.write('  (this server keeps no gate results)\n');
  else if (a.gates.length === 0) stdout.write('  none reported\n');
  else {
    const rows = a.gates.map((g) => [
      g.name,
      g.status,
      Object.entries(g.values)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
      g.reporter,
      g.reportedAt,
    ]);
    stdout.write(indent(renderTable(['gate', 'status', 'values', 'reporter', 'reported'], rows)));
  }
  stdout.write('\ndeployments:\n');
  if (a.deployments.length === 0) stdout.write('  never deployed\n');
  else {
    const live = new Set(a.liveIn);
    const rows = a.deployments.map((d, i) => [
      d.environment,
      d.phase,
      d.kind,
      d.createdAt,
      d.id,
      live.has(d.environment) &&
      a.deployments.findIndex((x) => x.environment === d.environment) === i
        ? 'live'
        : null,
    ]);
    stdout.write(
      indent(renderTable(['environment', 'phase', 'kind', 'created', 'id', 'now'], rows)),
    );
  }
  return exitCodes.ok;
}

/** `prod live, staging Failed`: the newest deployment per environment. */
function ranIn(a: ArtifactView): string | null {
  const parts = a.environments.map((e) => `${e.environment} ${e.live ? 'live' : e.latest.phase}`);
  return parts.join(', ') || null;
}

/** `tests passed, coverage failed`: the newest report per gate; null when none or not kept. */
function gatesOf(a: ArtifactView): string | null {
  if (!a.gates) return null;
  const seen = new Map<string, string>();
  for (const g of a.gates) if (!seen.has(g.name)) seen.set(g.name, g.status);
  return [...seen].map(([name, status]) => `${name} ${status}`).join(', ') || null;
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}
