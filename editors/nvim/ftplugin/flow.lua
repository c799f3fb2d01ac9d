-- Buffer settings for .flow files (flowc firewall policies).
if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = 1

local bo = vim.bo
bo.commentstring = '# %s'
-- `///` doc comments first, so that `gq` and `o` continue them as doc comments.
bo.comments = ':///,:#'
bo.formatoptions = bo.formatoptions:gsub('t', '') .. 'croqj'
-- Two-space indentation, as `flowc fmt` writes it.
bo.expandtab = true
bo.shiftwidth = 2
bo.softtabstop = 2
bo.tabstop = 2
-- Identifiers hold '-' (echo-request, broad-range): keep them one word.
bo.iskeyword = '@,48-57,_,-'
bo.suffixesadd = '.flow'

-- :FlowcFmt formats the buffer with `flowc fmt --stdin` (vim.g.flowc_executable, default
-- `flowc`). Not 'formatprg': that would replace the text with flowc's error message when
-- the buffer does not parse.
vim.api.nvim_buf_create_user_command(0, 'FlowcFmt', function()
  require('flowc.format').buffer(0)
end, { desc = 'Format the buffer with flowc fmt' })

vim.b.undo_ftplugin = 'setlocal commentstring< comments< formatoptions< expandtab< shiftwidth<'
  .. ' softtabstop< tabstop< iskeyword< suffixesadd< | silent! delcommand -buffer FlowcFmt'
