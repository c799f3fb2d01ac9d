-- Indentation for .flow files: two spaces per open brace or parenthesis.
if vim.b.did_indent then
  return
end
vim.b.did_indent = 1

vim.bo.indentexpr = "v:lua.require'flowc.indent'.get(v:lnum)"
vim.bo.indentkeys = '0{,0},0),!^F,o,O'
vim.bo.autoindent = true
vim.b.undo_indent = 'setlocal indentexpr< indentkeys< autoindent<'
