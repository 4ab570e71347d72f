import { ZodError } from 'zod';
import {
  routerSettingsSchema,
  type RouterSettings,
} from '../../../traffic/control/control-protocol.js';
import { defaultRouterSettings } from '../../../traffic/control/default-router-settings.js';
import { canonicalPath } from '../../../shared/canonical-path.js';
import type { OptionValues } from '../../define-command.js';
import { requiredString, stringOption } from '../../option-values.js';
import { UsageError } from '../../usage-error.js';

export const routerActions = ['run', 'stop', 'upgrade'] as const;
export type RouterAction = (typeof routerActions)[number];

export interface RouterInput {
  readonly action: RouterAction;
  readonly dataDir: string;
  readonly settings: RouterSettings;
}

/** `ferry router [stop|upgrade] --data <dir> [--settings-json <json>]`, checked. */
export function routerInput(
  args: readonly (string | undefined)[],
  options: OptionValues,
): RouterInput {
  const given = args[0] ?? 'run';
  const action = routerActions.find((candidate) => candidate === given);
  if (action === undefined) {
    throw new UsageError(
      `unknown router action "${given}"; expected stop or upgrade (or none to run it)`,
    );
  }
  return {
    action,
    dataDir: canonicalPath(requiredString(options, 'data')),
    settings: settingsOf(stringOption(options, 'settingsJson')),
  };
}

function settingsOf(json: string | undefined): RouterSettings {
  if (json === undefined) return defaultRouterSettings;
  try {
    return routerSettingsSchema.parse(JSON.parse(json));
  } catch (error) {
    const why =
      error instanceof ZodError
        ? error.issues
            .map(
              (issue) =>
                `${issue.path.length === 0 ? '' : `${issue.path.join('.')}: `}${issue.message}`,
            )
            .join('; ')
        : (error as Error).message;
    throw new UsageError(`--settings-json is not valid router settings: ${why}`);
  }
}
