import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { newId } from '../../../src/server/domain/ids.js';
import { findOrgRef, insertProvider, linkServices } from '../../../src/server/store/oidc.js';
import { startTestServer } from '../../helpers/server.js';
import { addService, auditEvents, call } from './oidc-helpers.js';
import { startDevIssuer } from '../../../src/server/oidc/dev-issuer.js';

describe('OIDC issuers on internal addresses', () => {
  it.each([
    'https://127.0.0.2',
    'https://169.254.169.254',
    'https://[::ffff:a9fe:a9fe]',
    'https://metadata.google.internal',
  ])('cannot be trusted: %s', async (providerUrl) => {
    const server = await startTestServer({ outbound: { allow: [] } });
    try {
      await addService(server, 'deployer');
      const res = await call(server, 'POST', '/orgs/acme/openid-connect/', {
        key: server.adminKey,
        body: {
          name: 'Inside',
          enabled: true,
          provider_url: providerUrl,
          claims: { repository_owner: 'acme' },
          service_accounts: ['deployer'],
        },
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        code: 'outbound_address_refused',
        fields: { provider_url: [expect.any(String)] },
      });
    } finally {
      await server.close();
    }
  });

  it('are not fetched for an anonymous exchange, and the audit log cannot tell whether they answer', async () => {
    // One internal https "issuer" that listens and one port where nothing does.
    const connections: string[] = [];
    const listening = http.createServer((req, res) => res.end());
    listening.on('connection', () => connections.push('listening'));
    await new Promise<void>((r) => listening.listen(0, '127.0.0.1', r));
    const openPort = (listening.address() as AddressInfo).port;
    const issuer = await startDevIssuer();
    const server = await startTestServer({ outbound: { allow: [] } });
    try {
      const org = (await findOrgRef(server.ctx, 'acme'))!;
      const deployer = await addService(server, 'deployer');
      // Providers stored before the address rules existed.
      for (const [name, url] of [
        ['up', `https://127.0.0.1:${openPort}`],
        ['down', 'https://127.0.0.1:1'],
      ]) {
        const id = newId();
        await insertProvider(server.ctx, {
          id,
          org_id: org.id,
          slug: name!,
          name: name!,
          enabled: 1,
          provider_url: url!,
          audience: 'airlock',
          claims: {},
          token_ttl_seconds: 3600,
          created_at: new Date().toISOString(),
          created_by: null,
          updated_at: new Date().toISOString(),
        });
        await linkServices(server.ctx, id, [deployer.id]);
      }
      const details: string[] = [];
      for (const url of [`https://127.0.0.1:${openPort}`, 'https://127.0.0.1:1']) {
        // A token any issuer could sign, naming the internal issuer.
        const token = await issuer.sign({ iss: url });
        const res = await call(server, 'POST', '/openid/acme/', {
          body: { oidc_token: token, service_slug: 'deployer' },
        });
        expect(res.status).toBe(401);
        const refusal = (await auditEvents(server, 'oidc.exchange_refused')).at(-1)!;
        expect(refusal.context.reason).toBe('discovery_failed');
        details.push(String(refusal.context.detail).replaceAll(url, '<issuer>'));
      }
      expect(connections).toEqual([]);
      expect(details[0]).toBe(details[1]);
      expect(details[0]).toMatch(/refusing to fetch .*loopback/);
    } finally {
      await server.close();
      await issuer.close();
      await new Promise((r) => listening.close(r));
    }
  });
});
