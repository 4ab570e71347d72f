import { describe, expect, it } from 'vitest';
import { parseListenAddress } from './listen-address.js';

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    [':8080', { host: '127.0.0.1', port: 8080 }],
    ['0.0.0.0:80', { host: '0.0.0.0', port: 80 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    ['localhost:65535', { host: 'localhost', port: 65535 }],
  ])('reads %s', (text, address) => {
    expect(parseListenAddress(text)).toEqual(address);
  });

  it.each(['8080', 'host:', ':0', ':65536', 'a b:80', '::1:80', 'http://x:80'])(
    'rejects %s',
    (text) => {
      expect(parseListenAddress(text)).toBeUndefined();
    },
  );
});
