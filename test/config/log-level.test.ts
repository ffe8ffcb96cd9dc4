// log_level: Picket's `log_level` and CrowdSec's `common.log_level` are read as levels (logrus spellings
// accepted), and an unknown level is refused naming the file, the line and the key.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, ConfigError } from '../../src/config/config.js';
import { LevelLog, parseLogLevel } from '../../src/core/log-level.js';

test("Picket's log_level and CrowdSec's common.log_level", () => {
  assert.equal(parseConfig('data_dir: /x\nlog_level: debug\n', 'picket.yaml').logLevel, 'debug');
  assert.equal(parseConfig('log_level: WARNING\n', 'picket.yaml').logLevel, 'warn');
  const cs = parseConfig('common:\n  daemonize: false\n  log_level: trace\napi:\n  server: {}\n', 'config.yaml');
  assert.equal(cs.format, 'crowdsec');
  assert.equal(cs.logLevel, 'trace');
  assert.equal(parseConfig('common:\n  log_level: panic\napi:\n  server: {}\n', 'config.yaml').logLevel, 'error');
});

test('an unknown level is refused with the file, line and key', () => {
  assert.throws(
    () => parseConfig('data_dir: /x\n\nlog_level: loud\n', 'picket.yaml'),
    (e: unknown) =>
      e instanceof ConfigError &&
      /^picket\.yaml:3: log_level: unknown level 'loud' \(trace, debug, info, warn \(or warning\), error\)$/.test(
        e.message,
      ),
  );
  assert.throws(
    () => parseConfig('log_level: [info]\n', 'picket.yaml'),
    (e: unknown) =>
      e instanceof ConfigError && /^picket\.yaml:1: log_level: expected a non-empty string/.test(e.message),
  );
  assert.throws(
    () => parseConfig('common:\n  daemonize: false\n  log_level: verbose\napi:\n  server: {}\n', '/etc/cs/config.yaml'),
    (e: unknown) =>
      e instanceof ConfigError &&
      /^\/etc\/cs\/config\.yaml:3: common\.log_level: unknown level 'verbose'/.test(e.message),
  );
});

test('the level filter: each level writes its own lines and those above', () => {
  assert.equal(parseLogLevel('Info'), 'info');
  assert.equal(parseLogLevel('fatal'), 'error');
  assert.equal(parseLogLevel('loud'), null);
  const seen = (level: 'trace' | 'debug' | 'info' | 'warn' | 'error'): string[] => {
    const out: string[] = [];
    const l = new LevelLog(level, (m) => out.push(m));
    l.trace('t');
    l.debug('d');
    l.info('i');
    return out;
  };
  assert.deepEqual(seen('trace'), ['trace: t', 'debug: d', 'i']);
  assert.deepEqual(seen('debug'), ['debug: d', 'i']);
  assert.deepEqual(seen('info'), ['i']);
  assert.deepEqual(seen('warn'), []);
  assert.deepEqual(seen('error'), []);
  assert.equal(new LevelLog('warn', () => undefined).enabled('warn'), true);
  assert.equal(new LevelLog('error', () => undefined).enabled('warn'), false);
});
