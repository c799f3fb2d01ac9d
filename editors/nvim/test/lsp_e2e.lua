-- End to end: the real `flowc lsp` ($FLOWC) started by editors/nvim as editors/README.md
-- documents it (test/e2e_init.lua), in a site outside any git repository. Checks what a user
-- sees: the diagnostic of a misspelt name at the position `flowc check` gives, hover, go to
-- definition, and the diagnostic going away once the name is fixed. Run from editors/nvim:
--   FLOWC=/abs/flowc FLOWC_NVIM_DIR=$PWD \
--     nvim --headless -u test/e2e_init.lua -c 'luafile test/lsp_e2e.lua'
-- (editors/e2e-terminal-editors.sh does). Exits 1 with what Neovim received when a check
-- fails. Each wait is bounded by $FLOWC_E2E_WAIT_MS (default 15 s).
local FLOWC = vim.env.FLOWC
local WAIT_MS = tonumber(vim.env.FLOWC_E2E_WAIT_MS or '') or 15000

local failures = {}
local function say(line)
  io.stderr:write(line .. '\n')
end
local function check(ok, what, detail)
  say((ok and 'ok    ' or 'FAIL  ') .. what)
  if not ok then
    table.insert(failures, what)
    if detail then
      say('      ' .. detail:gsub('\n', '\n      '))
    end
  end
  return ok
end
local function read_file(path)
  return vim.fn.filereadable(path) == 1 and table.concat(vim.fn.readfile(path), '\n') or ''
end

-- What Neovim tells the user (client exits, start-up errors) goes into the failure report.
vim.lsp.set_log_level('debug')
local notified = {}
local notify = vim.notify
vim.notify = function(msg)
  table.insert(notified, msg)
  say('      nvim says: ' .. msg)
end
-- get_active_clients and buf_get_clients are deprecated from 0.10 on.
local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients
local function buffer_clients(buf)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = buf })
  end
  return vim.lsp.buf_get_clients(buf)
end
local function stopped(client)
  return client.is_stopped(client)
end
local function clients_state()
  local lines = {}
  for _, client in pairs(get_clients()) do
    table.insert(lines, ('client %d %s, root %s, stopped %s'):format(
      client.id, client.name, tostring(client.config.root_dir), tostring(stopped(client))))
  end
  table.insert(lines, 'notifications: ' .. vim.inspect(notified))
  -- The messages exchanged, from the debug log: direction, method, id.
  local log = vim.lsp.get_log_path()
  for _, line in ipairs(vim.fn.filereadable(log) == 1 and vim.fn.readfile(log) or {}) do
    local direction = line:match('"rpc%.send"') and 'sent'
      or line:match('"rpc%.receive"') and 'received'
    if direction then
      local method = line:match('method = "([^"]+)"') or ''
      local id = line:match('id = (%d+)')
      table.insert(lines, ('  %s %s %s'):format(direction, method, id and ('id ' .. id) or ''))
    elseif line:match('^%[ERROR%]') or line:match('^%[WARN%]') then
      table.insert(lines, '  ' .. line:sub(1, 300))
    end
  end
  return table.concat(lines, '\n')
end

local HOSTS = {
  'import nim',
  'zone mgmt = 198.18.1.0/24',
  '/// The NIM master of the test site.',
  'host nim01 = 198.18.1.10 is nim.master(nfs = 4)',
  'group aix = 198.18.1.128/25 is nim.client(master = nim01)',
  'lint broad-range = allow',
}
local BROKEN = { 'allow aix -> nim1 : ssh', 'expect aix -> nim01 : tcp 1058 allowed' }
local FIXED = 'allow aix -> nim01 : ssh'
local RETARGETED = 'allow aix -> aix : ssh'
local DEFINITION_LINE = 3 -- 0-based: `host nim01 = …` in HOSTS

local site = vim.fn.resolve(vim.fn.tempname() .. '-site')
local ok, err = pcall(function()
  check(FLOWC ~= nil and vim.fn.executable(FLOWC) == 1, 'FLOWC is an executable', tostring(FLOWC))
  vim.fn.mkdir(site, 'p')
  vim.fn.writefile(HOSTS, site .. '/hosts.flow')
  vim.fn.writefile(BROKEN, site .. '/rules.flow')
  -- The root must come from the fallback (the file's directory), not from a .git above.
  local above = vim.fn.finddir('.git', site .. ';') .. vim.fn.findfile('.git', site .. ';')
  check(above == '', 'the test site is outside any git repository',
    'found ' .. above .. '; set TMPDIR')

  -- What the terminal says about the same file (1-based line and column).
  local cli_output = vim.fn.system({ FLOWC, 'check', '--format', 'json', site })
  local decoded, reported = pcall(vim.fn.json_decode, cli_output)
  local want
  for _, diagnostic in ipairs(decoded and reported or {}) do
    if diagnostic.file:match('rules%.flow$') and diagnostic.code == 'E0102' then
      want = diagnostic
    end
  end
  if not check(want ~= nil, 'flowc check --format json reports E0102 in rules.flow', cli_output) then
    return
  end

  vim.cmd('edit ' .. vim.fn.fnameescape(site .. '/rules.flow'))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == 'flow', 'filetype flow', vim.bo[buf].filetype)

  -- The published diagnostic, as vim.diagnostic holds it.
  local opened = vim.loop.hrtime()
  local function server_quit()
    return table.concat(notified, '\n'):find('quit with exit code', 1, true) ~= nil
  end
  local published = vim.wait(WAIT_MS, function()
    -- No use waiting once Neovim has said that the server is gone.
    return #vim.diagnostic.get(buf) > 0 or server_quit()
  end, 20) and #vim.diagnostic.get(buf) > 0
  local after = published and ('after %d ms'):format((vim.loop.hrtime() - opened) / 1e6)
    or ('within %d ms'):format(WAIT_MS)
  if not check(published, 'flowc lsp publishes a diagnostic ' .. after, clients_state()) then
    return
  end
  local diagnostics = vim.diagnostic.get(buf)
  local got = diagnostics[1]
  local seen = vim.inspect(diagnostics)
  check(#diagnostics == 1, 'exactly one diagnostic', seen)
  check(got.code == 'E0102', 'code E0102', seen)
  check(got.severity == vim.diagnostic.severity.ERROR, 'severity error', seen)
  local where = ('at line %d, column %d as flowc check says (0-based %d:%d)')
    :format(want.line, want.column, want.line - 1, want.column - 1)
  check(got.lnum == want.line - 1 and got.col == want.column - 1, where, seen)
  check(got.end_lnum == want.end_line - 1 and got.end_col == want.end_column - 1,
    'ends where flowc check says', seen)
  check(got.message:find('unknown name `nim1`', 1, true) ~= nil, 'message names the unknown name', seen)
  check(got.message:find('did you mean `nim01`', 1, true) ~= nil,
    'message says "did you mean `nim01`"', seen)

  -- One client, rooted at the site directory (no .git anywhere above it).
  local client = select(2, next(buffer_clients(buf)))
  check(client ~= nil and client.name == 'flowc', 'a flowc client is attached', clients_state())
  if client then
    check(client.config.root_dir == site, 'root is the file\'s directory', client.config.root_dir)
    local folders = client.workspace_folders or client.config.workspace_folders or {}
    check(folders[1] ~= nil and folders[1].uri == vim.uri_from_fname(site), 'workspace folder is the site',
      vim.inspect(folders))
  end

  local function hover_text(line, character)
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      position = { line = line, character = character },
    }
    local responses, request_err =
      vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, WAIT_MS)
    local result = responses and select(2, next(responses))
    local contents = result and result.result and result.result.contents
    local text = type(contents) == 'table' and (contents.value or contents[1]) or contents
    return type(text) == 'string' and text or nil, vim.inspect(responses or request_err)
  end

  -- Hover on `nim01` (line 2) shows the host and its doc comment.
  local text, raw = hover_text(1, 15)
  check(text ~= nil and text:find('host nim01', 1, true) ~= nil
    and text:find('The NIM master of the test site.', 1, true) ~= nil,
    'hover on nim01 shows the host and its doc', raw)

  -- Go to definition, as `gd` mapped to vim.lsp.buf.definition() does.
  vim.api.nvim_win_set_cursor(0, { 2, 15 })
  vim.lsp.buf.definition()
  local landed = vim.wait(WAIT_MS, function()
    return vim.api.nvim_buf_get_name(0) == site .. '/hosts.flow'
      and vim.api.nvim_win_get_cursor(0)[1] == DEFINITION_LINE + 1
  end, 50)
  check(landed, ('definition of nim01 opens hosts.flow at line %d'):format(DEFINITION_LINE + 1),
    vim.api.nvim_buf_get_name(0) .. ':' .. vim.inspect(vim.api.nvim_win_get_cursor(0)))
  vim.cmd('buffer ' .. buf)

  -- Fix the name, as typing does: Neovim sends the change after its debounce delay.
  vim.api.nvim_buf_set_lines(buf, 0, 1, false, { FIXED })
  local cleared = vim.wait(WAIT_MS, function()
    return #vim.diagnostic.get(buf) == 0
  end, 50)
  check(cleared, 'the diagnostic clears once the name is fixed',
    vim.inspect(vim.diagnostic.get(buf)))
  text, raw = hover_text(0, 15)
  check(text ~= nil and text:find('host nim01', 1, true) ~= nil,
    'hover on the fixed name, once analysed', raw)

  -- A hover sent right after an edit (Neovim sends the pending change first) answers for the
  -- edited text: `aix` now stands where `nim01` was.
  vim.api.nvim_buf_set_lines(buf, 0, 1, false, { RETARGETED })
  text, raw = hover_text(0, 14)
  check(text ~= nil and text:find('group aix', 1, true) ~= nil,
    'hover right after an edit answers for the edited text', raw)
  -- Neovim also clears diagnostics when the server dies: it must still be running.
  check(client ~= nil and not stopped(client) and vim.lsp.get_client_by_id(client.id) ~= nil,
    'flowc lsp is still running', clients_state())
end)
check(ok, 'the test ran to its end', tostring(err))
for _, client in pairs(get_clients()) do
  vim.lsp.stop_client(client.id)
end
vim.wait(2000, function()
  return next(get_clients()) == nil
end, 50)
vim.fn.delete(site, 'rf')
vim.notify = notify
local version = vim.version()
say(('nvim %d.%d.%d: %s'):format(version.major, version.minor, version.patch,
  #failures == 0 and 'all checks passed' or (#failures .. ' check(s) failed')))
vim.cmd(#failures == 0 and 'qall!' or 'cquit 1')
