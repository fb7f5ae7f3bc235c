// Answer normalisation and the majority vote shared by Self-Consistency (and later FrugalGPT/EoT).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeAnswer } from '../../src/core/tasks/normalize';
import { describeVotes, majorityVote } from '../../src/core/techniques/vote';

describe('normalizeAnswer', () => {
  it('compares numbers by value', () => {
    for (const same of ['1000', '1,000', '1000.0', '$1000', ' 1000. ', '**1000**', '"1000"']) assert.equal(normalizeAnswer(same), '1000', same);
    assert.equal(normalizeAnswer('−3'), '-3');
    assert.equal(normalizeAnswer('-0'), '0');
    assert.equal(normalizeAnswer('50%'), '50%');
    assert.notEqual(normalizeAnswer('50%'), normalizeAnswer('50'));
    assert.notEqual(normalizeAnswer('12'), normalizeAnswer('13'));
  });

  it('compares expressions by their symbols, not their spacing, and does not evaluate them', () => {
    assert.equal(normalizeAnswer('(13 − 9) × (10 - 4)'), '(13-9)*(10-4)');
    assert.equal(normalizeAnswer('(13-9)*(10-4)'), normalizeAnswer('( 13 - 9 ) * ( 10 - 4 )'));
    assert.equal(normalizeAnswer('3 x 4'), '3*4');
    assert.equal(normalizeAnswer('8 ÷ 2'), '8/2');
    assert.notEqual(normalizeAnswer('(13-9)*(10-4)'), normalizeAnswer('(10-4)*(13-9)'));
    assert.notEqual(normalizeAnswer('2+2'), normalizeAnswer('4'));
  });

  it('compares short text by its words', () => {
    assert.equal(normalizeAnswer('The Eiffel Tower.'), normalizeAnswer('eiffel tower'));
    assert.equal(normalizeAnswer('Yes!'), 'yes');
    assert.equal(normalizeAnswer('an apple'), 'apple');
    assert.equal(normalizeAnswer('The'), 'the');
    assert.notEqual(normalizeAnswer('Paris'), normalizeAnswer('Lyon'));
    assert.equal(normalizeAnswer('box'), 'box', 'an x inside a word is not a times sign');
  });

  it('treats empty answers as no answer', () => {
    assert.equal(normalizeAnswer(''), '');
    assert.equal(normalizeAnswer('  **  '), '');
  });
});

describe('majorityVote', () => {
  it('picks the most frequent answer after normalisation, reported as first written', () => {
    const r = majorityVote(['12', 'The answer 13', '1,2', '12.0', '$12', '13']);
    assert.equal(r.winner?.answer, '12');
    assert.deepEqual(r.winner?.members, [0, 3, 4]);
    assert.equal(r.share, 3 / 6);
  });

  it('breaks a tie by first occurrence', () => {
    assert.equal(majorityVote(['b', 'a', 'a', 'b']).winner?.answer, 'b');
    assert.equal(majorityVote(['a', 'b', 'b', 'a']).winner?.answer, 'a');
    assert.equal(majorityVote(['x', 'y', 'z']).winner?.answer, 'x');
    // The later group draws level and then leads: the lead wins, not the first occurrence.
    assert.equal(majorityVote(['a', 'b', 'b']).winner?.answer, 'b');
  });

  it('counts samples without an answer in the share but not as a group', () => {
    const r = majorityVote(['7', '', '7', '  ', '8']);
    assert.equal(r.winner?.answer, '7');
    assert.equal(r.abstentions, 2);
    assert.equal(r.total, 5);
    assert.equal(r.share, 2 / 5);
    assert.equal(describeVotes(r), '7 ×2 · 8 ×1 · no answer ×2');
  });

  it('has no winner when nobody answered', () => {
    const r = majorityVote(['', '']);
    assert.equal(r.winner, undefined);
    assert.equal(r.share, 0);
    assert.equal(majorityVote([]).winner, undefined);
  });
});
