import { z } from 'zod';
import {
  expiryOutcomes,
  type ApprovalRequirement,
} from '../features/approvals/domain/approval-requirement.js';
import type { RiskPolicy } from '../features/approvals/domain/risk-policy.js';
import { tokenRoles } from '../features/auth/domain/permissions.js';
import { countSchema, durationSchema, nameSchema } from './config-primitives.js';
import { expecting, expectingMap } from './describe-value.js';

/**
 * What an approval needs: `{ approvals: 2, roles: [approver], expiry: 2h, onExpiry: reject,
 * allowSelfApproval: false, remindBefore: [30m] }`; only `expiry` has no default, so an approval
 * never waits forever.
 */
export const approvalRequirementSchema = z
  .strictObject(
    {
      approvals: countSchema(1).default(1),
      roles: z
        .array(z.enum(tokenRoles, { error: expecting(`one of ${tokenRoles.join(', ')}`) }), {
          error: expecting('a list of roles such as [approver]'),
        })
        .min(1, { error: 'list at least one role, e.g. [approver]' })
        .default(['approver']),
      expiry: durationSchema.refine((ms) => ms > 0, { error: 'expiry must be above 0' }),
      onExpiry: z
        .enum(expiryOutcomes, { error: expecting(`one of ${expiryOutcomes.join(', ')}`) })
        .default('reject'),
      allowSelfApproval: z.boolean({ error: expecting('true or false') }).default(false),
      remindBefore: z
        .array(durationSchema, { error: expecting('a list of durations such as [30m, 5m]') })
        .default([]),
    },
    {
      error: expectingMap(
        'a map such as { approvals: 1, roles: [approver], expiry: 2h, onExpiry: reject }',
      ),
    },
  )
  .transform((raw): ApprovalRequirement => ({
    approvals: raw.approvals,
    roles: raw.roles,
    expiryMs: raw.expiry,
    onExpiry: raw.onExpiry,
    allowSelfApproval: raw.allowSelfApproval,
    remindBeforeMs: raw.remindBefore,
  }));

// Environment names are checked against `environments` by `check-risk.ts`.
const matchSchema = z.strictObject(
  {
    environments: z
      .array(nameSchema, { error: expecting('a list of environments such as [prod]') })
      .optional(),
    meta: z
      .record(z.string(), z.string({ error: expecting('a quoted string such as "true"') }), {
        error: expectingMap('a map of artifact metadata such as { migrations: "true" }'),
      })
      .optional(),
    configKeys: z
      .array(z.string({ error: expecting('a config key such as replicas') }), {
        error: expecting('a list of config keys such as [replicas, env]'),
      })
      .optional(),
    minCommits: countSchema(1).optional(),
    minFiles: countSchema(1).optional(),
    firstDeployment: z.boolean({ error: expecting('true or false') }).optional(),
    rollbackOutsideWindow: z.boolean({ error: expecting('true or false') }).optional(),
    windowApproval: z.boolean({ error: expecting('true or false') }).optional(),
  },
  {
    error: expectingMap(
      'a map with environments, meta, configKeys, minCommits, minFiles, firstDeployment, rollbackOutsideWindow or windowApproval',
    ),
  },
);

const ruleSchema = z.strictObject(
  {
    name: nameSchema,
    when: matchSchema.default({}),
    require: approvalRequirementSchema,
  },
  { error: expectingMap('a map with name, when and require') },
);

/** `risk:` in ferry.yaml: `{ rules: [...] }`; none means every change is low-risk. */
export const riskSchema = z
  .strictObject(
    {
      rules: z.array(ruleSchema, { error: expecting('a list of risk rules') }).default([]),
    },
    { error: expectingMap('a map such as { rules: [...] }') },
  )
  .default({ rules: [] })
  .transform((raw): RiskPolicy => ({ rules: raw.rules }));
