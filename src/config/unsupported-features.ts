import { ConfigError, type ErrorDetail } from '../errors/ferry-error.js';
import type { FerryConfig } from './ferry-config.js';

const notYet =
  'parsed and validated, but not carried out by this version of Ferry yet (rollout analysis is ' +
  'being wired in); remove it for now so that nothing you rely on is silently skipped';

/**
 * Settings the loader understands but the controller does not act on yet. Rather than run a
 * rollout that quietly skips its analysis, `ferry validate` and `ferry server` refuse them.
 */
export function unsupportedFeatures(config: FerryConfig): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const flag = (path: string) => details.push({ path, message: notYet });
  for (const [name, service] of Object.entries(config.services)) {
    const at = `services.${name}`;
    if (service.smoke.length > 0) flag(`${at}.smoke`);
    const strategy = service.strategy;
    if (strategy.kind === 'canary') {
      const canary = strategy.canary;
      if (canary.baseline) flag(`${at}.strategy.canary.baseline`);
      if (canary.judge) flag(`${at}.strategy.canary.judge`);
      canary.steps.forEach((step, i) => {
        if (step.kind === 'judge') flag(`${at}.strategy.canary.steps[${i}].judge`);
      });
    }
  }
  return details;
}

/** Throws a ConfigError naming every setting that is not carried out yet. */
export function assertSupported(config: FerryConfig, file: string): FerryConfig {
  const details = unsupportedFeatures(config).map((d) => ({ ...d, location: file }));
  if (details.length > 0) throw new ConfigError(file, details);
  return config;
}
