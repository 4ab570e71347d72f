import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** The parts of a V8 `.cpuprofile` (as `node --cpu-prof` writes it) that self time needs. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  /** `function (file:line)`. */
  readonly frame: string;
  readonly ms: number;
  readonly percent: number;
}

/**
 * The functions that spent the most time themselves (not in callees), heaviest first, as shares
 * of the busy time: `(idle)` is left out, so a profile spanning quiet phases still reads right.
 */
export function topSelfTime(profile: CpuProfile, count: number): SelfTime[] {
  const frames = new Map<number, string>();
  for (const { id, callFrame } of profile.nodes) {
    const where =
      callFrame.url === '' ? '' : ` (${basename(callFrame.url)}:${callFrame.lineNumber + 1})`;
    frames.set(id, `${callFrame.functionName || '(anonymous)'}${where}`);
  }
  const micros = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const frame = frames.get(id) ?? '?';
    if (frame === '(idle)') return;
    micros.set(frame, (micros.get(frame) ?? 0) + delta);
    total += delta;
  });
  return [...micros]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([frame, us]) => ({ frame, ms: Math.round(us / 1_000), percent: (100 * us) / total }));
}

/** The newest `.cpuprofile` in `dir`, parsed. */
export async function newestProfile(dir: string): Promise<{ file: string; profile: CpuProfile }> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  const dated = await Promise.all(
    files.map(async (name) => ({ name, mtime: (await stat(join(dir, name))).mtimeMs })),
  );
  const newest = dated.sort((a, b) => b.mtime - a.mtime)[0];
  if (newest === undefined) throw new Error(`no .cpuprofile in ${dir}`);
  const file = join(dir, newest.name);
  return { file, profile: JSON.parse(await readFile(file, 'utf8')) as CpuProfile };
}
