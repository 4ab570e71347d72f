import type { CommandContext } from '../../command-context.js';
import { collectArtifacts, type CollectInput } from './collect-artifacts.js';
import { listArtifacts, showArtifact } from './list-artifacts.js';
import { pushArtifact, type PushInput } from './push-artifact.js';

export type ArtifactInput =
  | { readonly action: 'list'; readonly service: string }
  | { readonly action: 'show'; readonly service: string; readonly version: string }
  | PushInput
  | CollectInput;

/** One file per action: list and show, push, gc. */
export function runArtifact(input: ArtifactInput, context: CommandContext): Promise<number> {
  switch (input.action) {
    case 'list':
      return listArtifacts(input.service, context);
    case 'show':
      return showArtifact(input.service, input.version, context);
    case 'push':
      return pushArtifact(input, context);
    case 'gc':
      return collectArtifacts(input, context);
  }
}
