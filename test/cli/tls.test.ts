// The LAPI over TLS (config `tls: {cert_file, key_file}`, a self-signed certificate made with openssl):
// the CLI trusts the local certificate of the config, a bouncer client trusts it through `tls.ca`, and a
// client without it is refused by certificate verification.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BouncerClient, LapiUnreachableError } from '../../src/client/index.js';
import { picket, startPicket, tempDir } from './helpers.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

test(
  'LAPI over TLS with a self-signed certificate: CLI and bouncer client',
  { skip: hasOpenssl ? false : 'openssl not installed' },
  async () => {
    const dir = tempDir('picket-tls-');
    const cert = path.join(dir, 'cert.pem'),
      key = path.join(dir, 'key.pem');
    const gen = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(gen.status, 0, gen.stderr);
    const cfg = path.join(dir, 'config.yaml');
    fs.writeFileSync(cfg, `tls:\n  cert_file: ${cert}\n  key_file: ${key}\nmetrics:\n  listen: "off"\n`);
    const lapi = await startPicket(['--no-agent', '--config', cfg], dir);
    const clients: BouncerClient[] = [];
    try {
      assert.match(lapi.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
      const common = ['--config', cfg, '--data', lapi.data];
      const k = await picket(['bouncers', 'add', 'tls-b', '-o', 'raw', ...common]);
      assert.equal(k.code, 0, k.stderr);
      const add = await picket(['decisions', 'add', '-i', '192.0.2.90', ...common]);
      assert.equal(add.code, 0, add.stderr);
      const status = await picket(['lapi', 'status', ...common]);
      assert.equal(status.code, 0, status.stderr);
      const trusted = new BouncerClient({ url: lapi.url, apiKey: k.stdout.trim(), tls: { ca: fs.readFileSync(cert) } });
      const untrusted = new BouncerClient({ url: lapi.url, apiKey: k.stdout.trim() });
      clients.push(trusted, untrusted);
      assert.equal((await trusted.lookup({ ip: '192.0.2.90' }))[0]?.value, '192.0.2.90');
      await assert.rejects(
        untrusted.lookup({ ip: '192.0.2.90' }),
        (e: unknown) => e instanceof LapiUnreachableError && /self[- ]signed|certificate/i.test(e.message),
      );
      // without the config (so without the certificate to trust) the CLI says why it cannot connect
      const noCa = await picket(['decisions', 'list', '--data', lapi.data]);
      assert.equal(noCa.code, 1);
      assert.match(noCa.stderr, /cannot reach the Local API at https:.*(self[- ]signed|certificate)/i);
    } finally {
      for (const c of clients) await c.close();
      const code = await lapi.stop();
      fs.rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, lapi.stderr());
    }
  },
);
