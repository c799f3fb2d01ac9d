-- .flow files are flowc firewall policies.
if vim.filetype and vim.filetype.add then
  -- Neovim 0.8+ (and 0.7 with g:do_filetype_lua).
  vim.filetype.add({ extension = { flow = 'flow' } })
end
-- Neovim 0.7 and older filetype.vim detection; `setfiletype` never overrides a type
-- already set.
vim.cmd([[autocmd BufRead,BufNewFile *.flow setfiletype flow]])
