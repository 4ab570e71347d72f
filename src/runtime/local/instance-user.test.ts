import { describe, expect, it } from 'vitest';
import { instanceUser, lookupUser, parsePasswdLine } from './instance-user.js';

describe('parsePasswdLine', () => {
  it('reads name, uid, gid and home of a passwd line', () => {
    expect(parsePasswdLine('nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin')).toEqual({
      name: 'nobody',
      uid: 65534,
      gid: 65534,
      home: '/nonexistent',
    });
    expect(parsePasswdLine('broken:x::1:x:/')).toBeUndefined();
    expect(parsePasswdLine('')).toBeUndefined();
  });
});

describe.runIf(process.getuid?.() === 0)('instanceUser under a root server', () => {
  it('is nobody unless the config names a user, and root only when it says root', () => {
    expect(instanceUser(undefined)?.name).toBe('nobody');
    expect(instanceUser('root')).toMatchObject({ uid: 0, gid: 0 });
    expect(instanceUser('0')).toMatchObject({ name: 'root', uid: 0 });
  });

  it('refuses a user the machine does not know, naming it', () => {
    expect(() => lookupUser('no-such-user')).toThrow(
      'runtime.local.user "no-such-user" is not a user of this machine',
    );
  });
});
