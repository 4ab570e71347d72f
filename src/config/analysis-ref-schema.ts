import { z } from 'zod';
import { countSchema } from './config-primitives.js';
import { expecting, expectingMap } from './describe-value.js';
import type { AnalysisRef, BackgroundAnalysis } from './ferry-config.js';

/**
 * `templates: [errors]`: names of the service's analysis templates, run together. Whether each
 * is defined is checked in `check-analysis.ts`, which sees the whole service.
 */
export const templateNamesSchema = z
  .array(z.string({ error: expecting('a template name such as errors') }), {
    error: expecting('a list of template names such as [errors]'),
  })
  .min(1, { error: 'at least one template is required, e.g. templates: [errors]' });

const refError = expectingMap('a map such as { templates: [errors] }');

/** `postDeployAnalysis`, `prePromotionAnalysis`, `postPromotionAnalysis`: templates to run. */
export const analysisRefSchema = z
  .strictObject({ templates: templateNamesSchema }, { error: refError })
  .transform(({ templates }): AnalysisRef => ({ templates }));

/** `canary.analysis`: templates run in the background from `startingStep` (0-based) to the end. */
export const backgroundAnalysisSchema = z
  .strictObject(
    { templates: templateNamesSchema, startingStep: countSchema(0).default(0) },
    { error: refError },
  )
  .transform(({ templates, startingStep }): BackgroundAnalysis => ({ templates, startingStep }));
