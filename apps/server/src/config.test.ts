import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'kw-config-'));

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const dir = tmp();
    const c = loadConfig({ KEEPWATCH_DATA: dir });
    expect(c.port).toBe(8470);
    expect(c.hosts).toEqual(['127.0.0.1']);
    expect(c.dataDir).toBe(dir);
    expect(c.adminPassword).toBeUndefined();
    expect(c.webDist).toMatch(/apps\/web\/dist$/);
    // Only enrolled agents connect unless a lab turns the shared token on.
    expect(c.allowSharedAgentToken).toBe(false);
    expect(
      loadConfig({ KEEPWATCH_DATA: dir, KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN: '1' })
        .allowSharedAgentToken,
    ).toBe(true);
  });

  it('reads port, a comma-separated host list and the admin password', () => {
    const c = loadConfig({
      KEEPWATCH_DATA: tmp(),
      KEEPWATCH_PORT: '9000',
      KEEPWATCH_HOST: '127.0.0.1, 10.77.0.1',
      KEEPWATCH_ADMIN_PASSWORD: 's3cret',
      KEEPWATCH_AGENT_TOKEN: 'tok',
    });
    expect(c).toMatchObject({
      port: 9000,
      hosts: ['127.0.0.1', '10.77.0.1'],
      adminPassword: 's3cret',
      agentToken: 'tok',
    });
  });

  it('rejects a bad port', () => {
    expect(() => loadConfig({ KEEPWATCH_DATA: tmp(), KEEPWATCH_PORT: 'http' })).toThrow(
      /KEEPWATCH_PORT/,
    );
  });

  it('generates an agent token once, stores it 0600 and reuses it', () => {
    const dir = tmp();
    const first = loadConfig({ KEEPWATCH_DATA: dir }).agentToken;
    expect(first.length).toBeGreaterThanOrEqual(24);
    const file = join(dir, 'agent-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(loadConfig({ KEEPWATCH_DATA: dir }).agentToken).toBe(first);
  });
});

describe('KEEPWATCH_REPLICA_ID', () => {
  const url = 'postgres://kw@db.example/keepwatch';

  it('is taken as given, and refused when it is no plain name', () => {
    const dir = tmp();
    const c = loadConfig({
      KEEPWATCH_DATA: dir,
      KEEPWATCH_DATABASE_URL: url,
      KEEPWATCH_REPLICA_ID: 'panel-2',
    });
    expect(c.replicaId).toBe('panel-2');
    expect(c.replicaIdFile).toBeUndefined();
    expect(() =>
      loadConfig({ KEEPWATCH_DATA: dir, KEEPWATCH_DATABASE_URL: url, KEEPWATCH_REPLICA_ID: 'a b' }),
    ).toThrow(/KEEPWATCH_REPLICA_ID must be 1-64 letters/);
  });

  it('unset on PostgreSQL: made once and kept in the data folder; unset on SQLite: none', () => {
    const dir = tmp();
    const first = loadConfig({ KEEPWATCH_DATA: dir, KEEPWATCH_DATABASE_URL: url });
    expect(first.replicaId).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{8}$/);
    expect(first.replicaIdFile).toBe(join(dir, 'replica-id'));
    expect(loadConfig({ KEEPWATCH_DATA: dir, KEEPWATCH_DATABASE_URL: url }).replicaId).toBe(
      first.replicaId,
    );
    expect(loadConfig({ KEEPWATCH_DATA: tmp() }).replicaId).toBeUndefined();
  });
});
