// The config file (src/config/config.ts) and the credentials file (src/config/credentials.ts): every key
// read, and malformed files rejected with the file, line and key named; `--config` on the command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseConfig, loadConfigFile, ConfigError } from '../../src/config/config.js';
import { parseCredentials, writeCredentials, readCredentials, CredentialsError } from '../../src/config/credentials.js';
import { picket, tempDir } from './helpers.js';

test('config: every key is read', () => {
  const c = parseConfig(
    `data_dir: /var/lib/x
listen: 127.0.0.1:9090
profiles_path: /etc/x/profiles.yaml
trusted_ips: [127.0.0.1, "::1", 10.0.0.0/8]
tls:
  cert_file: /c.pem
  key_file: /k.pem
  ca_file: /ca.pem
retention:
  max_age: 7d
  max_items: 5000
metrics:
  listen: 127.0.0.1:0
`,
    'x.yaml',
  );
  assert.deepEqual(c, {
    file: 'x.yaml',
    dataDir: '/var/lib/x',
    listen: '127.0.0.1:9090',
    profilesPath: '/etc/x/profiles.yaml',
    trustedIps: ['127.0.0.1', '::1', '10.0.0.0/8'],
    tls: { certFile: '/c.pem', keyFile: '/k.pem', caFile: '/ca.pem' },
    retention: { maxAgeMs: 7 * 86_400_000, maxItems: 5000 },
    metricsListen: '127.0.0.1:0',
  });
  assert.deepEqual(parseConfig('', 'empty.yaml'), { file: 'empty.yaml' });
});

test('config: malformed files name the file, the line and the key', () => {
  const cases: Array<[string, RegExp]> = [
    ['listen: 127.0.0.1:1\nlisen: 2\n', /^bad\.yaml:2: lisen: unknown key/],
    ['retention:\n  max_age: soon\n', /^bad\.yaml:2: retention\.max_age: 'soon' is not a positive duration/],
    ['retention:\n  max_items: -3\n', /^bad\.yaml:2: retention\.max_items: expected a whole number/],
    ['trusted_ips: 127.0.0.1\n', /^bad\.yaml:1: trusted_ips: expected a list/],
    ['tls:\n  cert_file: /c\n', /^bad\.yaml:2: tls\.key_file: missing/],
    ['metrics:\n  port: 1\n', /^bad\.yaml:2: metrics\.port: unknown key/],
    ['data_dir: [a]\n', /^bad\.yaml:1: data_dir: expected a non-empty string/],
    ['listen: "a\n', /^bad\.yaml:[12]: not valid YAML: Missing closing/],
    ['- a\n- b\n', /^bad\.yaml:1: \(top level\): expected a mapping/],
  ];
  for (const [text, re] of cases) {
    assert.throws(
      () => parseConfig(text, 'bad.yaml'),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
      text,
    );
  }
  assert.throws(
    () => loadConfigFile('/nonexistent/picket.yaml'),
    /cannot read config file \/nonexistent\/picket\.yaml: ENOENT/,
  );
});

test('credentials file: cscli format round trip (mode 0600), errors name the file and key', () => {
  const dir = tempDir('picket-creds-');
  try {
    const file = path.join(dir, 'sub', 'local_api_credentials.yaml');
    writeCredentials(file, { url: 'http://127.0.0.1:8080/', login: 'm1', password: 'p: "x"' });
    assert.equal(fs.readFileSync(file, 'utf8').split('\n')[0], 'url: http://127.0.0.1:8080/');
    assert.deepEqual(readCredentials(file), { url: 'http://127.0.0.1:8080/', login: 'm1', password: 'p: "x"' });
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(parseCredentials('url: http://h/\nlogin: a\npassword: 123\ncert_path: /c\n', 'c.yaml'), {
      url: 'http://h/',
      login: 'a',
      password: '123',
    });
    assert.deepEqual(
      parseCredentials(
        'url: https://h/\nlogin: a\npassword: b\nca_cert_path: /x\ninsecure_skip_verify: true\n',
        'c.yaml',
      ),
      { url: 'https://h/', login: 'a', password: 'b', caCertPath: '/x', insecureSkipVerify: true },
    );
    assert.throws(
      () => parseCredentials('url: https://h/\nlogin: a\npassword: b\ninsecure_skip_verify: sure\n', 'c.yaml'),
      /c\.yaml:4: insecure_skip_verify: expected true or false/,
    );
    assert.throws(
      () => parseCredentials('url: http://h/\nlogin: a\n', 'c.yaml'),
      (e: unknown) => e instanceof CredentialsError && e.message === 'c.yaml: password is missing',
    );
    assert.throws(
      () => parseCredentials('url: http://h/\nlogin: [a]\npassword: x\n', 'c.yaml'),
      /^CredentialsError: c\.yaml:2: login: expected a string/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--config: the data folder comes from the file; a malformed file stops the command (exit 1) naming it', async () => {
  const dir = tempDir('picket-config-');
  try {
    const data = path.join(dir, 'from-config');
    const good = path.join(dir, 'good.yaml');
    fs.writeFileSync(good, `data_dir: ${data}\n`);
    const add = await picket(['bouncers', 'add', 'b1', '-o', 'raw', '--config', good]);
    assert.equal(add.code, 0, add.stderr);
    assert.ok(fs.existsSync(path.join(data, 'picket.mdb')));
    assert.match((await picket(['bouncers', 'list', '--data', data])).stdout, /│ b1 /);
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'data_dir: /tmp/x\nretention:\n  max_age: forever\n');
    for (const args of [
      ['bouncers', 'list'],
      ['run', '--no-agent'],
    ]) {
      const r = await picket([...args, '--config', bad]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /bad\.yaml:3: retention\.max_age: 'forever' is not a positive duration/);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('config: buckets.max_live sets the live-bucket ceiling; bad values name the key', () => {
  assert.equal(parseConfig('buckets: {max_live: 250000}', 'c.yaml').maxLiveBuckets, 250000);
  assert.equal(parseConfig('buckets:\n  max_live: 0\n', 'c.yaml').maxLiveBuckets, 0);
  for (const [text, re] of [
    ['buckets: {max_live: -1}', /c\.yaml:1.*buckets\.max_live.*whole number/],
    ['buckets: {max_live: lots}', /buckets\.max_live/],
    ['buckets: {max_lives: 3}', /buckets\.max_lives.*unknown key \(expected max_live\)/],
  ] as const) {
    assert.throws(
      () => parseConfig(text, 'c.yaml'),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
      text,
    );
  }
});
