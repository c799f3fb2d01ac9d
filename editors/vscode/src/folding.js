'use strict';
// Folding ranges for .flow files: brace blocks, multi-line parenthesised lists (role
// parameters, role arguments), runs of comment lines, and `# region` / `# endregion`.
// Pure text scanning, no `vscode` import (unit-tested under Node).

/**
 * @param {string} text
 * @returns {{start: number, end: number, kind?: 'comment' | 'region'}[]} 0-based lines
 */
function computeFoldingRanges(text) {
  const lines = text.split(/\r\n|\r|\n/);
  const ranges = [];
  const open = []; // { ch, line }
  const regions = [];
  let commentRun = null; // { start, end, doc }

  const flushComments = () => {
    if (commentRun && commentRun.end > commentRun.start) {
      ranges.push({ start: commentRun.start, end: commentRun.end, kind: 'comment' });
    }
    commentRun = null;
  };

  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    const trimmed = line.trim();

    if (/^#\s*region\b/.test(trimmed)) {
      flushComments();
      regions.push(n);
      continue;
    }
    if (/^#\s*endregion\b/.test(trimmed)) {
      flushComments();
      const start = regions.pop();
      if (start !== undefined && n > start) ranges.push({ start, end: n, kind: 'region' });
      continue;
    }
    if (trimmed.startsWith('#') || trimmed.startsWith('///')) {
      const doc = trimmed.startsWith('///');
      if (commentRun && commentRun.doc === doc && commentRun.end === n - 1) {
        commentRun.end = n;
      } else {
        flushComments();
        commentRun = { start: n, end: n, doc };
      }
      continue;
    }
    flushComments();

    let inString = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '#') break;
      else if (c === '/' && line.startsWith('///', i)) break;
      else if (c === '{' || c === '(') open.push({ ch: c, line: n });
      else if (c === '}' || c === ')') {
        const want = c === '}' ? '{' : '(';
        // Pop to the matching opener; unbalanced input still gives sensible ranges.
        let k = open.length - 1;
        while (k >= 0 && open[k].ch !== want) k--;
        if (k < 0) continue;
        const start = open[k].line;
        open.length = k;
        // Keep the closing line visible: `} else {` stays on screen.
        if (n - 1 > start) ranges.push({ start, end: n - 1 });
      }
    }
  }
  flushComments();
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  return ranges;
}

module.exports = { computeFoldingRanges };
