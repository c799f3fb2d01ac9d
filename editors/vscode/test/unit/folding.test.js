'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { computeFoldingRanges } = require('../../src/folding');

test('braces, else blocks, parameter lists, comments and regions fold', () => {
  const text = [
    '/// A role.', //            0
    '/// Two lines.', //         1
    'role r(', //                2
    '  a: int = 1,', //          3
    '  b: bool = true,', //      4
    ') {', //                    5
    '  if b {', //               6
    '    any -> self : tcp a', // 7
    '    self -> any : tcp 1', // 8
    '  } else {', //             9
    '    # "{" in a comment', // 10
    '    any -> self : tcp 2', // 11
    '  }', //                    12
    '}', //                      13
    '# region hosts', //         14
    'host h = 10.0.0.1', //      15
    'host i = "}" ', //          16
    '# endregion', //            17
  ].join('\n');
  assert.deepEqual(computeFoldingRanges(text), [
    { start: 0, end: 1, kind: 'comment' },
    { start: 2, end: 4 },
    { start: 5, end: 12 },
    { start: 6, end: 8 },
    { start: 9, end: 11 },
    { start: 14, end: 17, kind: 'region' },
  ]);
});

test('unbalanced input does not throw', () => {
  assert.doesNotThrow(() => computeFoldingRanges('}\n) {\n(\n\n'));
  assert.deepEqual(computeFoldingRanges(''), []);
});
