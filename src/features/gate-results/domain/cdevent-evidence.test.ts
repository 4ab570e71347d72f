import { describe, expect, it } from 'vitest';
import { cdeventIntake, gateNameOf } from './cdevent-evidence.js';

const finished = 'dev.cdevents.testsuiterun.finished.0.3.0';
const event = (content: Record<string, unknown>, ferry: unknown, type = finished) => ({
  type,
  source: '/ci',
  data: { subject: { id: 'run', content }, customData: { ferry } },
});

describe('cdeventIntake', () => {
  it('reads the artifact from customData.ferry, by service and version or by purl', () => {
    const byName = cdeventIntake(event({ outcome: 'success' }, { service: 'web', version: 'v2' }));
    const byPurl = cdeventIntake(
      event({ outcome: 'success' }, { artifactId: 'pkg:oci/acme/web@v2%2B1?repository_url=x' }),
    );
    expect(byName).toMatchObject({ kind: 'evidence', report: { service: 'web', version: 'v2' } });
    expect(byPurl).toMatchObject({ kind: 'evidence', report: { service: 'web', version: 'v2+1' } });
    for (const ferry of [undefined, 'web@v2', { artifactId: 'web@v2' }, { service: 'web' }]) {
      expect(cdeventIntake(event({ outcome: 'success' }, ferry))).toMatchObject({
        kind: 'unprocessable',
        reason: 'no_artifact',
      });
    }
  });

  it('names the gate by customData.ferry.gate, else the suite, else tests', () => {
    const name = (content: Record<string, unknown>, ferry: Record<string, unknown> = {}) => {
      const intake = cdeventIntake(event(content, { service: 'web', version: 'v1', ...ferry }));
      return intake.kind === 'evidence' ? intake.report.name : intake.kind;
    };
    expect(name({ outcome: 'pass', testSuite: { id: 'x', name: 'E2E' } }, { gate: 'e2e' })).toBe(
      'e2e',
    );
    expect(name({ outcome: 'pass', testSuite: { id: '42', name: '!!!' } })).toBe('tests');
    expect(name({ outcome: 'pass', testSuite: { id: 'Suite_A', name: '123' } })).toBe('suite_a');
    expect(name({ outcome: 'pass' })).toBe('tests');
  });

  it('reads the outcome of 0.x versions, and the status of the 0.3.0 draft', () => {
    const status = (content: Record<string, unknown>, type = finished) => {
      const intake = cdeventIntake(event(content, { service: 'web', version: 'v1' }, type));
      return intake.kind === 'evidence' ? intake.report.status : intake.kind;
    };
    expect(status({ status: 'pass' }, 'dev.cdevents.testsuiterun.finished.0.3.0-draft')).toBe(
      'passed',
    );
    expect(status({ outcome: 'failure' })).toBe('failed');
    expect(status({ outcome: 'success' }, 'dev.cdevents.testsuiterun.finished.1.0.0')).toBe(
      'unprocessable',
    );
  });

  it('ignores other CDEvents and refuses other types', () => {
    expect(
      cdeventIntake({ type: 'dev.cdevents.build.finished.0.2.0', source: '/', data: {} }),
    ).toEqual({
      kind: 'ignored',
      reason: 'Ferry does not use dev.cdevents.build.finished.0.2.0 events',
    });
    expect(
      cdeventIntake({ type: 'dev.cdevents.testsuiterun', source: '/', data: {} }),
    ).toMatchObject({
      kind: 'unprocessable',
      reason: 'unknown_type',
    });
    expect(cdeventIntake({ type: finished, source: '/', data: 'text' })).toMatchObject({
      kind: 'unprocessable',
      reason: 'not_a_cdevent',
    });
  });
});

describe('gateNameOf', () => {
  it.each([
    ['Auth TestSuite', 'auth-testsuite'],
    ['  Integration / API  ', 'integration-api'],
    ['3rd-party', 'rd-party'],
    ['unit.tests_v2', 'unit.tests_v2'],
    ['42', undefined],
    ['', undefined],
  ])('%j → %j', (text, name) => {
    expect(gateNameOf(text)).toBe(name);
  });
});
