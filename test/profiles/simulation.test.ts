// simulation.yaml: global switch XOR exclusions, YAML 1.1 booleans, errors naming file and field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSimulation, SimulationConfigError } from '../../src/profiles/index.js';

test('stock file (simulation: off) simulates only the exclusions', () => {
  const s = parseSimulation('simulation: off\nexclusions:\n  - crowdsecurity/ssh-bf\n', 'simulation.yaml');
  assert.equal(s.simulation, false);
  assert.equal(s.isSimulated('crowdsecurity/ssh-bf'), true);
  assert.equal(s.isSimulated('crowdsecurity/http-probing'), false);
});

test('simulation: true simulates everything but the exclusions', () => {
  for (const on of ['true', 'on', 'yes']) {
    const s = parseSimulation(`simulation: ${on}\nexclusions: [crowdsecurity/ssh-bf]\n`, 'simulation.yaml');
    assert.equal(s.isSimulated('crowdsecurity/ssh-bf'), false);
    assert.equal(s.isSimulated('crowdsecurity/http-probing'), true);
  }
});

test('empty file / no exclusions: nothing simulated', () => {
  assert.equal(parseSimulation('', 's.yaml').isSimulated('a/b'), false);
  assert.equal(parseSimulation('# comment only\n', 's.yaml').isSimulated('a/b'), false);
  assert.equal(parseSimulation('simulation: false\n', 's.yaml').isSimulated('a/b'), false);
});

test('bad simulation files name the file and the field', () => {
  const bad: [string, RegExp][] = [
    ['simulation: sometimes\n', /field "simulation"/],
    ['simulation: off\nexclusions: crowdsecurity/ssh-bf\n', /field "exclusions"/],
    ['simulation: off\nexclusions: [{a: 1}]\n', /exclusions\[0\]/],
    ['simulaton: on\n', /field "simulaton": unknown/],
    ['simulation: [\n', /malformed YAML/],
  ];
  for (const [text, re] of bad) {
    assert.throws(
      () => parseSimulation(text, '/etc/picket/simulation.yaml'),
      (e: Error) => {
        assert.ok(e instanceof SimulationConfigError);
        assert.match(e.message, /^\/etc\/picket\/simulation\.yaml:\d+: /);
        assert.match(e.message, re);
        return true;
      },
    );
  }
});
