-- heatls: the Neovim client of the heatls language server (per-line heat
-- from pprof profiles). setup() starts or attaches the server for file
-- buffers in the workspace; decorations.lua paints the heatls/decorations
-- notification, hints.lua shows inlay hints, commands.lua runs the server's
-- commands. Works with Neovim 0.7 and later.
local compat = require('heatls.compat')
local commands = require('heatls.commands')
local compare = require('heatls.compare')
local decorations = require('heatls.decorations')
local highlights = require('heatls.highlights')
local hints = require('heatls.hints')
local progress = require('heatls.progress')

local M = {}

M.defaults = {
  -- The server command.
  cmd = { 'heatls', '--stdio' },
  -- Filetypes to attach to; nil attaches every file buffer in the workspace.
  filetypes = nil,
  -- A profile to load at start (the "profile" setting): a path, URL or
  -- glob, or a list of them (merged).
  profile = nil,
  -- A base to compare the profile with (the "base" setting): a path, URL or
  -- glob, or a list of them (merged); normalize scales it to the profile's
  -- total (the "normalize" setting).
  base = nil,
  normalize = nil,
  -- The heatls settings (docs/protocol.md "Settings"): threshold,
  -- localScope, sampleType, hints, pathMappings, watch, logLevel.
  settings = {},
  -- function(path, bufnr) -> the workspace folder of a file, or nil to leave
  -- the buffer alone. nil: the current directory, for files under it.
  root_dir = nil,
  -- Show the server's inlay hints ("G5 L4 · 2.50s").
  inlay_hints = true,
  -- Show the progress of a profile fetch or capture through vim.notify.
  progress = true,
}

M.config = nil

local augroup

local function under(path, dir)
  dir = dir:gsub('/+$', '')
  return dir == '' or path == dir or path:sub(1, #dir + 1) == dir .. '/'
end

local function root_for(bufnr, path)
  if M.config.root_dir then
    return M.config.root_dir(path, bufnr)
  end
  local cwd = vim.fn.getcwd()
  if under(path, cwd) then
    return cwd
  end
  return nil
end

-- The file path of a buffer heatls should attach to, or nil.
local function eligible(bufnr)
  if not vim.api.nvim_buf_is_valid(bufnr) or not vim.api.nvim_buf_is_loaded(bufnr) then
    return nil
  end
  if vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' or name:match('^%a[%w+.-]*://') then
    return nil -- unnamed, or a URI that is not a local file
  end
  local fts = M.config.filetypes
  if fts and not vim.tbl_contains(fts, vim.bo[bufnr].filetype) then
    return nil
  end
  return vim.fn.fnamemodify(name, ':p')
end

local function capabilities()
  local caps = vim.lsp.protocol.make_client_capabilities()
  if not hints.builtin then
    -- The plugin requests and shows hints itself, and answers refreshes.
    caps.textDocument = caps.textDocument or {}
    caps.textDocument.inlayHint = { dynamicRegistration = false }
    caps.workspace = caps.workspace or {}
    caps.workspace.inlayHint = { refreshSupport = true }
  end
  return caps
end

local function client_config(root)
  local settings = vim.deepcopy(M.config.settings)
  local handlers = {
    ['heatls/decorations'] = decorations.handler,
    ['window/showMessage'] = commands.show_message_handler,
    ['$/progress'] = progress.handler,
  }
  if hints.builtin then
    handlers['workspace/inlayHint/refresh'] = hints.builtin_refresh_handler
  else
    handlers['workspace/inlayHint/refresh'] = hints.refresh_handler
  end
  return {
    name = 'heatls',
    cmd = M.config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = compat.object(vim.deepcopy(settings)),
    settings = { heatls = compat.object(settings) },
    capabilities = capabilities(),
    handlers = handlers,
    on_attach = function(client, bufnr)
      hints.on_attach(client, bufnr, augroup)
    end,
    on_exit = function(code, signal, client_id)
      vim.schedule(function()
        hints.on_exit(client_id)
        compare.on_exit(client_id)
        for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
          if #compat.clients(bufnr) == 0 then
            decorations.clear(bufnr)
          end
        end
        if code ~= 0 or signal ~= 0 then
          commands.notify(string.format('the server exited (code %d, signal %d)', code, signal),
            vim.log.levels.WARN)
        end
      end)
    end,
  }
end

-- Neovim 0.7: one client per workspace folder, started with start_client.
local by_root = {}

local function attach_07(bufnr, root)
  local id = by_root[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = vim.lsp.start_client(client_config(root))
    by_root[root] = id
  end
  if id and not vim.lsp.buf_is_attached(bufnr, id) then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

--- Attaches heatls to bufnr when it is a file buffer in the workspace.
function M.attach(bufnr)
  if not M.config then
    return
  end
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local path = eligible(bufnr)
  if not path then
    return
  end
  local root = root_for(bufnr, path)
  if not root then
    return
  end
  root = vim.fn.fnamemodify(root, ':p'):gsub('(.)/$', '%1')
  if compat.has('0.8') then
    vim.lsp.start(client_config(root), { bufnr = bufnr })
  else
    attach_07(bufnr, root)
  end
end

--- Starts heatls for the file buffers open now and those opened later.
--- Calling it again replaces the configuration for buffers attached later.
function M.setup(opts)
  opts = opts or {}
  local config = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts)
  -- Lists are replaced, not merged.
  config.cmd = opts.cmd or M.defaults.cmd
  config.filetypes = opts.filetypes
  config.settings = vim.deepcopy(opts.settings or {})
  for _, key in ipairs({ 'profile', 'base' }) do
    local value = opts[key]
    if type(value) == 'string' then
      config.settings[key] = commands.full_path(value)
    elseif type(value) == 'table' then
      config.settings[key] = vim.tbl_map(commands.full_path, value)
    end
  end
  if opts.normalize ~= nil then
    config.settings.normalize = opts.normalize == true
  end
  if vim.fn.executable(config.cmd[1]) ~= 1 then
    vim.notify('heatls: cannot run ' .. tostring(config.cmd[1])
      .. ' (install heatls, or pass its path as cmd to setup())', vim.log.levels.ERROR)
    return
  end
  M.config = config
  hints.enabled = config.inlay_hints ~= false
  progress.show = config.progress ~= false

  augroup = vim.api.nvim_create_augroup('heatls', { clear = true })
  highlights.setup(augroup)
  local events = config.filetypes and { 'FileType' } or { 'BufEnter', 'FileType' }
  vim.api.nvim_create_autocmd(events, {
    group = augroup,
    callback = function(args)
      M.attach(args.buf)
    end,
    desc = 'heatls: attach the language server',
  })
  vim.api.nvim_create_autocmd('BufWipeout', {
    group = augroup,
    callback = function(args)
      decorations.clear(args.buf)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    M.attach(bufnr)
  end
end

-- The commands, for mappings and scripts. Each takes an optional
-- on_result(err, result) callback.
M.load = commands.load
M.capture = commands.capture
M.reload = commands.reload
M.cancel = commands.cancel
M.clear = commands.clear
M.hotspots = commands.hotspots
M.toggle = commands.toggle
M.status = commands.status
M.compare = compare.compare
M.compare_clear = compare.clear

--- The text for a statusline ('' without a profile), e.g.
--- set statusline=%f\ %{v:lua.require'heatls'.statusline()}
M.statusline = compare.statusline

--- The heatls clients (all, or those attached to bufnr).
M.clients = compat.clients

--- What heatls painted in bufnr: ({[row] = 'HeatlsLevelN' or
--- 'HeatlsImprovementN'}, mode, version, diff).
M.painted = decorations.painted

--- The inlay hints shown in bufnr: {[row] = label}.
M.hints = hints.shown

--- The $/progress reports received: {token, kind, title, message, percentage}.
M.progress = progress.reports

return M
