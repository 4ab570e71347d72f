import { z } from 'zod';
import type { ZodApp } from '../../server/zod-app.js';
import { errorResponses } from '../../server/error-schema.js';
import { ForbiddenError } from '../auth/auth-errors.js';
import { principalOf } from '../auth/auth-hook.js';
import { actorOf } from '../auth/domain/api-token.js';
import { scopeCovers, tokenRoles } from '../auth/domain/permissions.js';
import type { ApprovalService, ApprovalView } from './approval-service.js';
import { approvalStatuses, decisionKinds } from './domain/approval.js';
import { expiryOutcomes } from './domain/approval-requirement.js';

const decisionSchema = z.object({
  actor: z.string(),
  role: z.string(),
  decision: z.enum(decisionKinds),
  comment: z.string(),
  at: z.string(),
});

export const approvalSchema = z
  .object({
    id: z.string(),
    service: z.string(),
    environment: z.string(),
    version: z.string(),
    deploymentId: z.string(),
    requestedBy: z.string(),
    requestedAt: z.string(),
    expiresAt: z.string(),
    /** How many distinct people must approve. */
    approvals: z.number(),
    roles: z.array(z.enum(tokenRoles)),
    onExpiry: z.enum(expiryOutcomes),
    allowSelfApproval: z.boolean(),
    /** The risk rules that matched, each with why. */
    reasons: z.array(z.string()),
    status: z.enum(approvalStatuses),
    /** `proceed` or `reject` once settled; null while pending. */
    outcome: z.enum(['proceed', 'reject']).nullable(),
    settledAt: z.string().nullable(),
    decisions: z.array(decisionSchema),
  })
  .meta({ id: 'Approval' });

const decideBody = z.object({ comment: z.string().max(2000).default('') });

/**
 * `GET /api/v1/approvals[?status=pending]`, `GET /api/v1/approvals/:id`, and
 * `POST /api/v1/approvals/:id/approve|reject` with `{ comment }`: the `approve` permission, on a
 * token scoped to the approval's environment.
 */
export function approvalRoutes(app: ZodApp, approvals: ApprovalService) {
  app.get(
    '/api/v1/approvals',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['approvals'],
        summary: 'Approvals, newest first; ?status=pending for those waiting',
        querystring: z.object({ status: z.enum(approvalStatuses).optional() }),
        response: { 200: z.object({ approvals: z.array(approvalSchema) }) },
      },
    },
    async (request) => {
      const status = request.query.status;
      const views = await approvals.list(status ? { status } : {});
      return { approvals: views.map(toView) };
    },
  );

  app.get(
    '/api/v1/approvals/:id',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['approvals'],
        summary: 'One approval with its decisions',
        params: z.object({ id: z.string() }),
        response: { 200: z.object({ approval: approvalSchema }), ...errorResponses },
      },
    },
    async (request) => ({ approval: toView(await approvals.get(request.params.id)) }),
  );

  for (const decision of decisionKinds) {
    app.post(
      `/api/v1/approvals/:id/${decision}`,
      {
        config: { permission: 'approve' },
        schema: {
          tags: ['approvals'],
          summary:
            decision === 'approve'
              ? 'Approve; the quorum reached, the waiting deployment starts'
              : 'Reject; the waiting deployment is aborted with the comment',
          params: z.object({ id: z.string() }),
          body: decideBody,
          response: { 200: z.object({ approval: approvalSchema }), ...errorResponses },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const { approval } = await approvals.get(request.params.id);
        if (
          principal.kind === 'token' &&
          !scopeCovers(principal.token.scopes, approval.environment)
        ) {
          throw new ForbiddenError('approve', approval.environment, principal.token.role);
        }
        const decider = {
          actor: actorOf(principal),
          role: principal.kind === 'token' ? principal.token.role : ('admin' as const),
        };
        const view = await approvals.decide(
          request.params.id,
          decider,
          decision,
          request.body.comment,
        );
        return { approval: toView(view) };
      },
    );
  }
}

function toView({ approval, decisions }: ApprovalView): z.infer<typeof approvalSchema> {
  const { requirement, ...rest } = approval;
  return {
    ...rest,
    approvals: requirement.approvals,
    roles: [...requirement.roles],
    onExpiry: requirement.onExpiry,
    allowSelfApproval: requirement.allowSelfApproval,
    reasons: [...approval.reasons],
    decisions: decisions.map((d) => ({ ...d })),
  };
}
