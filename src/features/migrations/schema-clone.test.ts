import { describe, expect, it } from 'vitest';
import { databaseName, libpqEnvironment } from './schema-clone.js';

describe('libpqEnvironment', () => {
  it('hands pg_dump the connection, password included, through the environment', () => {
    expect(
      libpqEnvironment('postgres://app%40x:p%40ss@db.internal:6543/orders%20db?sslmode=require'),
    ).toEqual({
      PGHOST: 'db.internal',
      PGPORT: '6543',
      PGUSER: 'app@x',
      PGPASSWORD: 'p@ss',
      PGDATABASE: 'orders db',
      PGSSLMODE: 'require',
    });
  });

  it('names the database, never the URL', () => {
    expect(databaseName('postgres://app:secret@db/orders')).toBe('orders');
    expect(databaseName('not a url')).toBe('the database');
  });
});
