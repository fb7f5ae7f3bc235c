// rag's index on a hostile root (issue 16): the kernel's special file systems are never walked (their
// files report size 0 and some never end: /proc/self grew to 23 GB), no file is read past its cap
// whatever its size said, and the index stops at a total size.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { listTextFiles, readTextFile, specialFileSystemOf } from '../../src/core/rag/files';

describe('rag on special or huge roots', () => {
  it('/proc, /sys and /dev are special file systems; nothing under them is listed', async () => {
    assert.equal(specialFileSystemOf('/proc/self'), '/proc');
    assert.equal(specialFileSystemOf('/sys'), '/sys');
    assert.equal(specialFileSystemOf('/dev/shm/x'), '/dev');
    assert.equal(specialFileSystemOf('/procedures'), undefined);
    assert.equal(specialFileSystemOf('/home/me/proc'), undefined);
    assert.deepEqual(await listTextFiles('/proc/self'), []);
  });

  it('a file that says it is empty but never ends is read no further than the cap', async () => {
    // /proc/self/pagemap reports size 0 and holds 8 bytes per page of the whole address space.
    const started = performance.now();
    assert.equal(await readTextFile('/proc/self', 'pagemap', 100_000), undefined);
    assert.ok(performance.now() - started < 5000);
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-rag-cap-'));
    writeFileSync(join(dir, 'small.txt'), 'hello\n');
    writeFileSync(join(dir, 'large.txt'), 'x'.repeat(5000));
    assert.equal(await readTextFile(dir, 'small.txt', 100), 'hello\n');
    assert.equal(await readTextFile(dir, 'large.txt', 4999), undefined);
    assert.equal((await readTextFile(dir, 'large.txt', 5000))?.length, 5000);
  });

  it('the index stops at its total size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thoughtscope-rag-total-'));
    for (let i = 0; i < 10; i++) writeFileSync(join(dir, `f${i}.txt`), 'y'.repeat(1000));
    const files = await listTextFiles(dir, { maxTotalBytes: 3500 });
    assert.deepEqual(files.map((f) => f.path), ['f0.txt', 'f1.txt', 'f2.txt']);
  });
});
