-- Checks the Neovim files: run from editors/nvim with
--   nvim --headless -u NONE -l test/nvim_test.lua      (Neovim 0.9+)
--   nvim --headless -u NONE -c 'luafile test/nvim_test.lua'
-- Needs `node` for the stand-in language server. Exits 1 when a check fails.
local root = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h')
vim.opt.runtimepath:prepend(root)
vim.cmd('filetype plugin indent on')
vim.cmd('syntax on')
-- ftdetect/*.lua is sourced at startup only; -u NONE skipped it.
vim.cmd('runtime! ftdetect/*.lua')

local failures = {}
local function check(ok, what)
  if not ok then
    table.insert(failures, what)
  end
end
local function eq(got, want, what)
  check(vim.deep_equal(got, want), ('%s: want %s, got %s'):format(what, vim.inspect(want), vim.inspect(got)))
end

local tmp = vim.fn.tempname()
local ok, err = pcall(function()
vim.fn.mkdir(tmp .. '/site/.git', 'p')
vim.fn.mkdir(tmp .. '/site/zones', 'p')
vim.fn.mkdir(tmp .. '/loose', 'p')

-- Filetype and buffer options.
vim.cmd('edit ' .. tmp .. '/site/zones/a.flow')
eq(vim.bo.filetype, 'flow', 'filetype')
eq(vim.bo.commentstring, '# %s', 'commentstring')
eq(vim.bo.shiftwidth, 2, 'shiftwidth')
eq(vim.bo.expandtab, true, 'expandtab')
eq(vim.b.current_syntax, 'flow', 'syntax')

-- Indentation.
local want = {
  'role agent(',
  '  count: int = 1,',
  ') {',
  '  for k in 1..count {',
  '    any -> self : tcp 1918 + k * 4096 # {',
  '  }',
  '  if count == 2 {',
  '    self -> any : udp 1',
  '  } else {',
  '    self <-> any : esp',
  '  }',
  '}',
  'host h = 10.0.0.1 is nim.master(mountd = "{")',
}
local flat = {}
for i, line in ipairs(want) do
  flat[i] = vim.trim(line)
end
vim.api.nvim_buf_set_lines(0, 0, -1, false, flat)
vim.cmd('normal! gg=G')
eq(vim.api.nvim_buf_get_lines(0, 0, -1, false), want, 'indentation')
vim.cmd('silent! write')

-- :FlowcFmt with a stand-in flowc: squeezes runs of spaces, or fails on `bad`.
local fake_fmt = tmp .. '/fake-fmt'
vim.fn.writefile({
  '#!/bin/sh',
  '[ "$1 $2" = "fmt --stdin" ] || exit 2',
  'input=$(cat)',
  'case "$input" in *bad*) echo "<stdin>:1:1: error[E0003]: bad" >&2; exit 1;; esac',
  'printf "%s\\n" "$input" | sed "s/  */ /g"',
}, fake_fmt)
vim.fn.setfperm(fake_fmt, 'rwxr-xr-x')
vim.g.flowc_executable = fake_fmt
local notified = {}
local notify = vim.notify
vim.notify = function(msg)
  table.insert(notified, msg)
end
vim.cmd('enew')
vim.bo.filetype = 'flow'
vim.api.nvim_buf_set_lines(0, 0, -1, false, { 'host  h  =  10.0.0.1' })
vim.cmd('FlowcFmt')
eq(vim.api.nvim_buf_get_lines(0, 0, -1, false), { 'host h = 10.0.0.1' }, 'FlowcFmt formats')
vim.api.nvim_buf_set_lines(0, 0, -1, false, { 'host  bad' })
vim.cmd('FlowcFmt')
eq(vim.api.nvim_buf_get_lines(0, 0, -1, false), { 'host  bad' }, 'FlowcFmt leaves a broken buffer alone')
check(#notified == 1 and notified[1]:find('E0003', 1, true) ~= nil, 'FlowcFmt error: ' .. vim.inspect(notified))
vim.notify = notify
vim.cmd('bwipeout!')
vim.cmd('edit ' .. tmp .. '/site/zones/a.flow')

-- Root directory: nearest .git, else the file's directory.
local lsp = require('flowc.lsp')
eq(lsp.root_dir(tmp .. '/site/zones/a.flow'), tmp .. '/site', 'root with .git')
eq(lsp.root_dir(tmp .. '/loose/b.flow'), tmp .. '/loose', 'root without .git')
-- In a git worktree or submodule `.git` is a file.
vim.fn.mkdir(tmp .. '/worktree/zones', 'p')
vim.fn.writefile({ 'gitdir: /elsewhere' }, tmp .. '/worktree/.git')
eq(lsp.root_dir(tmp .. '/worktree/zones/d.flow'), tmp .. '/worktree', 'root with a .git file')

-- nvim-lspconfig registration (with a stand-in for lspconfig.configs).
package.loaded['lspconfig.configs'] = {}
check(lsp.register_lspconfig(), 'register_lspconfig')
local registered = package.loaded['lspconfig.configs'].flowc
check(registered ~= nil, 'lspconfig entry')
if registered then
  eq(registered.default_config.cmd, { 'flowc', 'lsp' }, 'lspconfig cmd')
  eq(registered.default_config.filetypes, { 'flow' }, 'lspconfig filetypes')
  eq(registered.default_config.root_dir(tmp .. '/site/zones/a.flow'), tmp .. '/site', 'lspconfig root')
end
package.loaded['lspconfig.configs'] = nil

-- The vim.lsp.config (0.11) form.
local cfg = lsp.config({ cmd = { '/opt/flowc', 'lsp' } })
eq(cfg.cmd, { '/opt/flowc', 'lsp' }, 'config cmd replaces the default')
local got_root
cfg.root_dir(vim.api.nvim_get_current_buf(), function(dir)
  got_root = dir
end)
eq(got_root, tmp .. '/site', 'config root_dir callback')

-- A missing binary: one clear message, no error.
local messages = {}
vim.notify = function(msg)
  table.insert(messages, msg)
end
lsp.start(0, { cmd = { tmp .. '/no-such-flowc', 'lsp' } })
check(#messages == 1 and messages[1]:find('cargo install --path .', 1, true) ~= nil, 'not-found message: ' .. vim.inspect(messages))

-- The server: started as `CMD lsp` with the site root, once per root.
local log = tmp .. '/server.log'
vim.env.FLOWC_FAKE_LOG = log
lsp.setup({ cmd = { root .. '/test/fake-flowc.js', 'lsp' } })
local function log_has(text)
  return vim.fn.filereadable(log) == 1 and table.concat(vim.fn.readfile(log), '\n'):find(text, 1, true) ~= nil
end
check(vim.wait(10000, function()
  return log_has('method initialized')
end, 50), 'server never initialised; log: ' .. (vim.fn.filereadable(log) == 1 and table.concat(vim.fn.readfile(log), ' | ') or 'none'))
check(log_has('argv lsp'), 'server argv')
check(log_has('root ' .. vim.uri_from_fname(tmp .. '/site')), 'server root')
vim.cmd('edit ' .. tmp .. '/site/c.flow')
vim.wait(500)
local clients = vim.lsp.get_active_clients and vim.lsp.get_active_clients() or vim.lsp.get_clients()
eq(#clients, 1, 'one client for one root')
if clients[1] then
  vim.lsp.stop_client(clients[1].id)
end
vim.wait(2000, function()
  return log_has('method exit')
end, 50)

end)
check(ok, 'error: ' .. tostring(err))
vim.fn.delete(tmp, 'rf')
if #failures > 0 then
  io.stderr:write(table.concat(failures, '\n') .. '\n')
  vim.cmd('cquit 1')
else
  io.stderr:write('nvim: all checks passed (' .. tostring(vim.version and vim.version().minor and ('0.' .. vim.version().minor) or '?') .. ')\n')
  vim.cmd('qall!')
end
