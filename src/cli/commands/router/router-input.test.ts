import { describe, expect, it } from 'vitest';
import { defaultRouterSettings } from '../../../traffic/control/default-router-settings.js';
import { UsageError } from '../../usage-error.js';
import { routerInput } from './router-input.js';

describe('ferry router input', () => {
  it('runs the router by default, with the default settings', () => {
    expect(routerInput([], { data: '/srv/ferry' })).toEqual({
      action: 'run',
      dataDir: '/srv/ferry',
      settings: defaultRouterSettings,
    });
  });

  it('takes stop and upgrade, and refuses other actions', () => {
    expect(routerInput(['stop'], { data: '/d' }).action).toBe('stop');
    expect(routerInput(['upgrade'], { data: '/d' }).action).toBe('upgrade');
    expect(() => routerInput(['restart'], { data: '/d' })).toThrow(
      new UsageError(
        'unknown router action "restart"; expected stop or upgrade (or none to run it)',
      ),
    );
  });

  it('says which field of --settings-json is wrong', () => {
    const settings = { ...defaultRouterSettings, workers: 0 };
    expect(() => routerInput([], { data: '/d', settingsJson: JSON.stringify(settings) })).toThrow(
      /--settings-json is not valid router settings: workers: /,
    );
    expect(() => routerInput([], { data: '/d', settingsJson: '{' })).toThrow(
      /--settings-json is not valid router settings: /,
    );
  });
});
