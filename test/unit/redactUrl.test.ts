// Base URLs as they are shown in messages, traces and logs: keys in them hidden, the rest kept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactedUrl } from '../../src/core/model/redactUrl';

describe('redactedUrl', () => {
  it('hides user info and query values, keeping the host, path and api-version', () => {
    assert.equal(redactedUrl('https://bob:pw@example.test:8443/openai/v1?api-version=2024-10-21&api-key=abc'), 'https://…@example.test:8443/openai/v1?api-version=2024-10-21&api-key=…');
    assert.equal(redactedUrl('http://127.0.0.1:11434/v1'), 'http://127.0.0.1:11434/v1');
    assert.equal(redactedUrl('http://h/v1?key=s3cret#frag'), 'http://h/v1?key=…#frag');
  });

  it('hides them in text that is not a URL too', () => {
    assert.equal(redactedUrl('ht tp://u:p@h/v1?key=s3cret'), 'ht tp://…@h/v1?key=…');
    assert.doesNotMatch(redactedUrl('not a url?token=abc&x=1'), /abc/);
  });
});
