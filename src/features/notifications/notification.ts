import type { FerryEvent } from '../events/event.js';

/** Event kinds a person wants to hear about: a rollout undone, an approval waiting on people. */
export const notifiedKinds = [
  'approval.requested',
  'approval.reminder',
  'deployment.aborted',
  'deployment.rolling_back',
  'deployment.rollback_stalled',
  'deployment.rolledback',
  'deployment.failed',
] as const;

/**
 * The JSON body of a webhook: the event's facts, plus a `text` line so a Slack incoming webhook
 * (or anything that shows `text`) can post it as is.
 */
export interface Notification {
  readonly text: string;
  readonly kind: string;
  readonly service: string;
  readonly environment: string;
  readonly version: string;
  readonly deploymentId: string;
  readonly reason: string | null;
  /** ISO-8601 UTC. */
  readonly time: string;
  readonly eventId: number;
}

const verbs: Record<string, string> = {
  'approval.requested': 'waits for approval',
  'approval.reminder': 'still waits for approval',
  'deployment.aborted': 'was aborted, traffic is back on the stable version',
  'deployment.rolling_back': 'is being rolled back',
  'deployment.rollback_stalled': 'cannot finish rolling back',
  'deployment.rolledback': 'was rolled back',
  'deployment.failed': 'failed',
};

/** The notification for an event, or undefined when the event is not one to notify. */
export function toNotification(event: FerryEvent): Notification | undefined {
  if (!(notifiedKinds as readonly string[]).includes(event.kind)) return undefined;
  const p = event.payload;
  const service = String(p['service'] ?? '');
  const environment = String(p['environment'] ?? '');
  const version = String(p['version'] ?? '');
  const reason = typeof p['reason'] === 'string' ? p['reason'] : null;
  return {
    text: `Ferry: ${service} ${version} in ${environment} ${verbs[event.kind]}${reason ? `: ${reason}` : ''}`,
    kind: event.kind,
    service,
    environment,
    version,
    deploymentId:
      typeof p['deploymentId'] === 'string'
        ? p['deploymentId']
        : event.subject.replace(/^deployment\//, ''),
    reason,
    time: event.time,
    eventId: event.id,
  };
}
