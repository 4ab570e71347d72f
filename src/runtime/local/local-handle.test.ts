import { describe, expect, it } from 'vitest';
import { asLocalRecord, isLocalHandle, localHandleOf } from './local-handle.js';

const handle = {
  kind: 'local',
  pid: 10,
  pgid: 10,
  pidStartTicks: 2 ** 40,
  logPath: '/l/web-1.log',
};
const record = { instanceId: 'web-1', host: '127.0.0.1', port: 41000, handle };

describe('local handle', () => {
  it('reads a handle the local runtime made, as the store gives it back', () => {
    expect(isLocalHandle(JSON.parse(JSON.stringify(handle)))).toBe(true);
    expect(asLocalRecord(record)).toEqual(record);
    expect(localHandleOf(record)).toEqual(handle);
  });

  it.each([
    ['another runtime', { ...handle, kind: 'kubernetes' }],
    ['a missing pid', { ...handle, pid: undefined }],
    ['a pid as text', { ...handle, pid: '10' }],
    ['a negative group', { ...handle, pgid: -1 }],
    ['fractional ticks', { ...handle, pidStartTicks: 1.5 }],
    ['no log path', { ...handle, logPath: null }],
  ])('refuses a handle with %s', (_what, other) => {
    expect(isLocalHandle(other)).toBe(false);
    const foreign = { ...record, handle: JSON.parse(JSON.stringify(other)) as { kind: string } };
    expect(asLocalRecord(foreign)).toBeUndefined();
    expect(() => localHandleOf(foreign)).toThrow("instance web-1: not a local runtime's record");
  });

  it('refuses what is no object', () => {
    for (const value of [null, 'local', 10, [handle]]) expect(isLocalHandle(value)).toBe(false);
  });
});
