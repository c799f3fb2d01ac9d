-- The init.lua of editors/README.md ("Neovim", no plugin manager), for the end-to-end test
-- (test/lsp_e2e.lua): the checkout's editors/nvim on the runtime path and the flowc under
-- test ($FLOWC) as the server. Nothing else, so the test sees what a user's Neovim does.
vim.opt.runtimepath:append(vim.env.FLOWC_NVIM_DIR)
require('flowc.lsp').setup({ cmd = { vim.env.FLOWC, 'lsp' } })
