// Content files and data files have a size limit (issue 11 §5): an oversized parser or grok pattern file (10 MiB,
// as configuration files) or data file (64 MiB) is refused before it is read, the error naming the file, its
// size and the limit. Sparse files: no disk used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseParserFile } from '../../src/parser/config.js';
import { PatternLibrary } from '../../src/grok/index.js';
import { loadDataFile } from '../../src/expr/datafiles.js';
import { MAX_DATA_FILE_BYTES } from '../../src/core/config-file.js';

function sparse(file: string, head: string, size: number): void {
  fs.writeFileSync(file, head);
  fs.truncateSync(file, size);
}

test('an oversized parser, grok pattern or data file is refused naming the file and the limit', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-bigcontent-'));
  try {
    const parser = path.join(dir, 'big-parser.yaml');
    sparse(parser, 'name: x\n', 100 * 1024 * 1024);
    assert.throws(() => parseParserFile(parser), /big-parser\.yaml is 104857600 bytes, larger than the 10485760-byte/);

    const patterns = path.join(dir, 'patterns');
    fs.mkdirSync(patterns);
    sparse(path.join(patterns, 'huge'), 'X \\d+\n', 20 * 1024 * 1024);
    assert.throws(
      () => new PatternLibrary().loadDirectory(patterns),
      /huge is 20971520 bytes, larger than the 10485760/,
    );

    sparse(path.join(dir, 'big-list.txt'), '192.0.2.1\n', MAX_DATA_FILE_BYTES + 1);
    const err = loadDataFile('big-list.txt', 'string', dir);
    assert.ok(err !== null);
    assert.match(
      err.message,
      new RegExp(
        `big-list\\.txt is ${MAX_DATA_FILE_BYTES + 1} bytes, larger than the ${MAX_DATA_FILE_BYTES}-byte limit of data files`,
      ),
    );

    fs.writeFileSync(path.join(dir, 'small-list.txt'), '192.0.2.1\n');
    assert.equal(loadDataFile('small-list.txt', 'string', dir), null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
