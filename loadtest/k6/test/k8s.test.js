import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SECRET_LIMIT_BYTES, configMap, keyOf, secretProblem, testRun } from '../k8s/generate.js';

const scriptDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * The ConfigMap's files back from its block scalars.
 * @param {string} yaml
 */
function filesOf(yaml) {
  /** @type {Record<string, string>} */
  const files = {};
  let key = '';
  for (const line of yaml.split('\n')) {
    const header = /^ {2}(\S+): \|-?$/.exec(line);
    if (header) {
      key = header[1];
      files[key] = '';
    } else if (key && (line.startsWith('    ') || line === '')) {
      files[key] += `${line.slice(4)}\n`;
    }
  }
  for (const k of Object.keys(files)) files[k] = `${files[k].replace(/\n+$/, '')}\n`;
  return files;
}

describe('the k6-operator sample, generated from the files as they are', () => {
  const expected = ['relay-ws.js', ...readdirSync(join(scriptDir, 'lib')).filter((f) => f.endsWith('.js')).sort().map((f) => `lib/${f}`)];

  it('puts relay-ws.js and every lib file, unchanged, in the ConfigMap', () => {
    const files = filesOf(configMap());
    assert.deepEqual(Object.keys(files), expected.map(keyOf));
    for (const path of expected) assert.equal(files[keyOf(path)], readFileSync(join(scriptDir, path), 'utf8'), path);
  });

  it('rebuilds the lib/ layout in the TestRun\'s script volume, one item per file', () => {
    const run = testRun();
    const items = [...run.matchAll(/- \{ key: (\S+), path: (\S+) \}/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(items, expected.map((p) => [keyOf(p), p]));
    assert.doesNotMatch(run, /items: \[\]/);
    assert.match(run, /name: RESULT_STDOUT\n\s+value: "1"/);
  });

  it('refuses a data file too big for a Secret and names the alternative', () => {
    const folder = mkdtempSync(join(tmpdir(), 'k8s-'));
    const small = join(folder, 'small.json');
    const big = join(folder, 'big.json');
    writeFileSync(small, 'x'.repeat(1000));
    writeFileSync(big, 'x'.repeat((SECRET_LIMIT_BYTES / 4) * 3 + 3));
    assert.equal(secretProblem(small), null);
    assert.match(String(secretProblem(big)), /over a Secret's 1048576: mount it from a ReadOnlyMany PersistentVolumeClaim/);

    const run = spawnSync(process.execPath, [join(scriptDir, 'k8s', 'generate.js'), '--data', big, '--out', folder], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    const ok = spawnSync(process.execPath, [join(scriptDir, 'k8s', 'generate.js'), '--data', small, '--out', folder], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(readFileSync(join(folder, 'testrun.yaml'), 'utf8'), testRun());
  });
});
