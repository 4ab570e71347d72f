import type { ApprovalRequirement } from './approval-requirement.js';
import type { RiskAssessment } from './assess-risk.js';

/** A risk assessment as a plan shows it: the level, each matched rule and why, what it needs. */
export interface RiskView {
  readonly level: 'low' | 'high';
  readonly matched: readonly { readonly rule: string; readonly reasons: readonly string[] }[];
  readonly requirement: ApprovalRequirement | null;
}

export function toRiskView(assessment: RiskAssessment): RiskView {
  return {
    level: assessment.level,
    matched: assessment.matched.map((m) => ({ rule: m.rule, reasons: [...m.reasons] })),
    requirement: assessment.requirement,
  };
}

/** No rule matched: nobody is asked. */
export const lowRisk: RiskView = { level: 'low', matched: [], requirement: null };
