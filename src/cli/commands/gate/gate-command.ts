import { defineCommand } from '../../define-command.js';
import { gateInput, gateStatus, gateValue } from './gate-input.js';
import { listGates } from './list-gates.js';
import { reportGate } from './report-gate.js';

/**
 * `ferry gate report web v2 --name tests --status passed --value coverage=83.2`: evidence on an
 * artifact, from CI. `ferry gate list web v2`: every report about it, newest first.
 */
export const gateCommand = defineCommand({
  name: 'gate',
  summary: 'Quality-gate evidence on an artifact: report (from CI), list',
  arguments: [
    { name: 'action', description: 'report or list' },
    { name: 'service', description: 'service name from ferry.yaml', optional: true },
    { name: 'version', description: 'the artifact version label', optional: true },
  ],
  options: [
    { flags: '--name <gate>', description: 'report: the gate, such as tests, scan, coverage' },
    { flags: '--status <status>', description: 'report: passed or failed', parse: gateStatus },
    {
      flags: '--value <name=number>',
      description: 'report: a measured value, such as coverage=83.2 (repeatable)',
      parse: gateValue,
    },
    { flags: '--url <url>', description: 'report: where a person reads the details' },
  ],
  input: gateInput,
  handler: (input, context) =>
    input.action === 'report' ? reportGate(input, context) : listGates(input, context),
});
