-- :FlowcFmt — formats the whole buffer with `flowc fmt --stdin`. The buffer is replaced
-- only when flowc succeeds; on a syntax error the message is shown and nothing changes
-- (unlike 'formatprg', which would put the error text in the buffer).
local M = {}

local function run(cmd, input)
  if vim.system then -- Neovim 0.10+: stdout and stderr apart
    local ok, result = pcall(function()
      return vim.system(cmd, { stdin = input, text = true }):wait()
    end)
    if not ok then
      return false, '', tostring(result)
    end
    return result.code == 0, result.stdout or '', result.stderr or ''
  end
  local ok, output = pcall(vim.fn.system, cmd, input)
  if not ok then
    return false, '', tostring(output)
  end
  return vim.v.shell_error == 0, output, output
end

--- Formats buffer `bufnr` (default: current). Returns true when flowc succeeded.
function M.buffer(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local exe = vim.g.flowc_executable or 'flowc'
  if vim.fn.executable(exe) ~= 1 then
    vim.notify(('flowc: cannot find %q; install it with `cargo install --path .` from the flowc repository, '
      .. 'or set vim.g.flowc_executable'):format(exe), vim.log.levels.ERROR)
    return false
  end
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local ok, stdout, stderr = run({ exe, 'fmt', '--stdin' }, table.concat(lines, '\n') .. '\n')
  if not ok then
    vim.notify('flowc fmt: ' .. vim.trim(stderr), vim.log.levels.ERROR)
    return false
  end
  local formatted = vim.split(stdout, '\n', { plain = true })
  if formatted[#formatted] == '' then
    table.remove(formatted)
  end
  if not vim.deep_equal(formatted, lines) then
    local view = vim.fn.winsaveview()
    vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, formatted)
    vim.fn.winrestview(view)
  end
  return true
end

return M
