-- Starts the flowc language server (`flowc lsp`, LSP over stdio) for `flow` buffers.
--
-- Without nvim-lspconfig (Neovim 0.8+):
--   require('flowc.lsp').setup()                      -- or setup({ cmd = { '/path/to/flowc', 'lsp' } })
-- With nvim-lspconfig:
--   require('flowc.lsp').register_lspconfig()
--   require('lspconfig').flowc.setup({})
-- With Neovim 0.11's vim.lsp.config:
--   vim.lsp.config('flowc', require('flowc.lsp').config())
--   vim.lsp.enable('flowc')
local M = {}

M.defaults = {
  name = 'flowc',
  cmd = { 'flowc', 'lsp' },
  filetypes = { 'flow' },
  root_markers = { '.git' },
}

-- The nearest of `start` and its ancestors that holds `marker` (a file or a directory: `.git`
-- is a file in git worktrees and submodules). Plain stat calls, so every Neovim version
-- finds the same root.
local function find_upward(marker, start)
  local dir = start
  while true do
    if vim.loop.fs_stat(dir .. '/' .. marker) then
      return dir
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

--- The root of the site a file belongs to: the nearest ancestor directory holding one of
--- `markers` (default `.git`), else the directory containing the file.
---@param fname string
---@param markers string[]|nil
---@return string
function M.root_dir(fname, markers)
  local dir = vim.fn.fnamemodify(fname ~= '' and fname or vim.fn.getcwd(), ':p:h')
  for _, marker in ipairs(markers or M.defaults.root_markers) do
    local root = find_upward(marker, dir)
    if root then
      return root
    end
  end
  return dir
end

-- Shallow: a `cmd` given replaces the default one whole.
local function merged(opts)
  return vim.tbl_extend('force', {}, M.defaults, opts or {})
end

--- A configuration table for vim.lsp.config / vim.lsp.start.
---@param opts table|nil overrides (cmd, root_markers, settings, on_attach, …)
function M.config(opts)
  local cfg = merged(opts)
  local markers = cfg.root_markers
  -- vim.lsp.config (0.11) calls root_dir(bufnr, on_dir); vim.lsp.start takes a string.
  cfg.root_dir = function(bufnr, on_dir)
    local root = M.root_dir(vim.api.nvim_buf_get_name(bufnr or 0), markers)
    if on_dir then
      on_dir(root)
    end
    return root
  end
  return cfg
end

local warned = false

--- Starts (or reuses) the flowc client for buffer `bufnr`.
function M.start(bufnr, opts)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local cfg = merged(opts)
  local exe = cfg.cmd[1]
  if vim.fn.executable(exe) ~= 1 then
    if not warned then
      warned = true
      vim.notify(
        ('flowc: cannot find %q. Install it from a clone of the flowc repository with '
          .. '`cargo install --path .` (it goes to ~/.cargo/bin, which must be on PATH), '
          .. "or pass its path: require('flowc.lsp').setup({ cmd = { '/path/to/flowc', 'lsp' } })"):format(exe),
        vim.log.levels.ERROR
      )
    end
    return nil
  end
  local root = M.root_dir(vim.api.nvim_buf_get_name(bufnr), cfg.root_markers)
  local start_config = {
    name = cfg.name,
    cmd = cfg.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    settings = cfg.settings,
    init_options = cfg.init_options,
    capabilities = cfg.capabilities,
    on_attach = cfg.on_attach,
  }
  if vim.lsp.start then
    -- Neovim 0.8+: reuses a running client with the same name and root.
    return vim.lsp.start(start_config, { bufnr = bufnr })
  end
  -- Neovim 0.7: start one client per root and attach buffers to it.
  M._clients = M._clients or {}
  local id = M._clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(start_config)
    M._clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Starts flowc for every `flow` buffer, now and later.
---@param opts table|nil overrides: cmd, root_markers, settings, capabilities, on_attach
function M.setup(opts)
  local group = vim.api.nvim_create_augroup('flowc_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = merged(opts).filetypes,
    callback = function(args)
      M.start(args.buf, opts)
    end,
  })
  -- Buffers already open when setup() runs.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == 'flow' then
      M.start(buf, opts)
    end
  end
end

--- Registers `flowc` with nvim-lspconfig, so that `require('lspconfig').flowc.setup({})` works.
function M.register_lspconfig(opts)
  local ok, configs = pcall(require, 'lspconfig.configs')
  if not ok then
    vim.notify('flowc: nvim-lspconfig is not installed; use require("flowc.lsp").setup()', vim.log.levels.WARN)
    return false
  end
  if not configs.flowc then
    local cfg = merged(opts)
    configs.flowc = {
      default_config = {
        cmd = cfg.cmd,
        filetypes = cfg.filetypes,
        root_dir = function(fname)
          return M.root_dir(fname, cfg.root_markers)
        end,
        single_file_support = true,
        settings = cfg.settings or {},
      },
      docs = { description = 'flowc, the compiler and language server for .flow firewall policies' },
    }
  end
  return true
end

return M
