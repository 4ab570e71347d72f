import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../shared/project-root.js';

/** Knobs of examples/hello, written to its hello.json so they travel inside the artifact. */
export interface HelloKnobs {
  readonly version: string;
  readonly errorRate?: number;
  readonly latencyMs?: number;
  readonly startDelayMs?: number;
  readonly neverReady?: boolean;
  readonly crashAfterMs?: number;
  readonly ignoreSigterm?: boolean;
}

/** A copy of examples/hello with its knobs baked in: one folder per version to deploy. */
export function helloVersion(knobs: HelloKnobs): string {
  const dir = mkdtempSync(join(tmpdir(), `ferry-hello-${knobs.version}-`));
  cpSync(join(projectRoot(), 'examples/hello'), dir, { recursive: true });
  writeFileSync(join(dir, 'hello.json'), JSON.stringify(knobs));
  return dir;
}
