-- heatls.hints: the server's inlay hints ("G5 L4 · 2.50s" at the end of hot
-- lines). Neovim 0.10+ shows them itself (vim.lsp.inlay_hint); on 0.7 .. 0.9
-- this module requests textDocument/inlayHint for the whole buffer and shows
-- the labels as end-of-line virtual text in the HeatlsHint group: on attach,
-- after each heatls/decorations notification, on workspace/inlayHint/refresh
-- and (debounced) after edits.
--
-- Neovim's own refresh (workspace/inlayHint/refresh, 0.10 to 0.12 at least)
-- asks again only for buffers shown in a window, and nothing asks when a
-- hidden buffer is shown later, so its hints would stay those of the
-- previous profile. So the plugin's refresh handler marks the hidden
-- buffers stale before passing the request on, and a stale buffer's hints
-- are requested again (by enabling them again) when a window shows it.
local compat = require('heatls.compat')

-- vim.uv since 0.10, vim.loop before.
local uv = vim.uv or vim.loop

local M = {}

M.ns = vim.api.nvim_create_namespace('heatls_hints')
M.builtin = compat.has('0.10')
M.enabled = true
M.debounce_ms = 200

-- Own hints (0.7 .. 0.9) per buffer.
local attached = {} -- bufnr -> client id
local generation = {} -- bufnr -> the number of the latest request
local shown = {} -- bufnr -> {[row] = label}
local timers = {} -- bufnr -> uv timer
local stale = {} -- bufnr -> true: built-in hints to request when shown

local function label_text(label)
  if type(label) == 'string' then
    return label
  end
  local parts = {}
  for _, part in ipairs(type(label) == 'table' and label or {}) do
    table.insert(parts, part.value or '')
  end
  return table.concat(parts)
end

local function render(bufnr, result)
  vim.api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
  local count = vim.api.nvim_buf_line_count(bufnr)
  local rows = {}
  for _, hint in ipairs(type(result) == 'table' and result or {}) do
    local row = hint.position and tonumber(hint.position.line)
    local text = label_text(hint.label)
    if row and row >= 0 and row < count and text ~= '' then
      rows[row] = rows[row] and (rows[row] .. ' ' .. text) or text
    end
  end
  for row, text in pairs(rows) do
    vim.api.nvim_buf_set_extmark(bufnr, M.ns, row, 0, {
      virt_text = { { text, 'HeatlsHint' } },
      virt_text_pos = 'eol',
      hl_mode = 'combine',
    })
  end
  shown[bufnr] = rows
end

function M.clear(bufnr)
  generation[bufnr] = (generation[bufnr] or 0) + 1 -- drops answers in flight
  if vim.api.nvim_buf_is_valid(bufnr) then
    vim.api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
  end
  shown[bufnr] = nil
end

--- Asks the server for bufnr's hints and shows them (0.7 .. 0.9 only).
function M.request(bufnr)
  if M.builtin or not M.enabled then
    return
  end
  local client = attached[bufnr] and vim.lsp.get_client_by_id(attached[bufnr])
  if not client or not vim.api.nvim_buf_is_loaded(bufnr) then
    return
  end
  generation[bufnr] = (generation[bufnr] or 0) + 1
  local this = generation[bufnr]
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = {
      start = { line = 0, character = 0 },
      ['end'] = { line = vim.api.nvim_buf_line_count(bufnr), character = 0 },
    },
  }
  compat.request(client, 'textDocument/inlayHint', params, function(err, result)
    if generation[bufnr] ~= this or not vim.api.nvim_buf_is_loaded(bufnr) then
      return -- a newer request was sent, or the buffer is gone
    end
    if err then
      return
    end
    render(bufnr, result)
  end, bufnr)
end

local function schedule(bufnr)
  local timer = timers[bufnr]
  if not timer then
    timer = uv.new_timer()
    timers[bufnr] = timer
  end
  timer:stop()
  timer:start(M.debounce_ms, 0, vim.schedule_wrap(function()
    M.request(bufnr)
  end))
end

function M.on_attach(client, bufnr, augroup)
  if not M.enabled then
    return
  end
  vim.api.nvim_clear_autocmds({ group = augroup, buffer = bufnr })
  if M.builtin then
    vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
    vim.api.nvim_create_autocmd('BufWinEnter', {
      group = augroup,
      buffer = bufnr,
      callback = function()
        if stale[bufnr] then
          stale[bufnr] = nil
          vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
        end
      end,
      desc = 'heatls: request inlay hints that changed while the buffer was hidden',
    })
    return
  end
  attached[bufnr] = client.id
  vim.api.nvim_create_autocmd({ 'TextChanged', 'TextChangedI' }, {
    group = augroup,
    buffer = bufnr,
    callback = function()
      schedule(bufnr)
    end,
    desc = 'heatls: request inlay hints after edits',
  })
  vim.api.nvim_create_autocmd('BufWipeout', {
    group = augroup,
    buffer = bufnr,
    callback = function()
      M.detach(bufnr)
    end,
  })
  M.request(bufnr)
end

function M.detach(bufnr)
  if timers[bufnr] then
    timers[bufnr]:stop()
    timers[bufnr]:close()
    timers[bufnr] = nil
  end
  attached[bufnr] = nil
  stale[bufnr] = nil
  M.clear(bufnr)
end

--- Forgets every buffer of a client that exited.
function M.on_exit(client_id)
  for bufnr, id in pairs(attached) do
    if id == client_id then
      M.detach(bufnr)
    end
  end
end

function M.on_decorations(bufnr, _)
  M.request(bufnr)
end

--- The handler of the workspace/inlayHint/refresh request (0.7 .. 0.9): asks
--- again for every buffer of that client, and answers null.
function M.refresh_handler(_, _, ctx)
  for bufnr, id in pairs(attached) do
    if not ctx or id == ctx.client_id then
      M.request(bufnr)
    end
  end
  return vim.NIL
end

--- The handler of workspace/inlayHint/refresh on 0.10+: marks the client's
--- hidden buffers stale, then lets Neovim's handler refresh the shown ones.
function M.builtin_refresh_handler(err, result, ctx, config)
  local client = ctx and vim.lsp.get_client_by_id(ctx.client_id)
  if client and M.enabled then
    for bufnr in pairs(client.attached_buffers or {}) do
      if #vim.fn.win_findbuf(bufnr) == 0 then
        stale[bufnr] = true
      end
    end
  end
  local default = vim.lsp.handlers['workspace/inlayHint/refresh']
  if default then
    return default(err, result, ctx, config)
  end
  return vim.NIL
end

--- The hints shown in bufnr: {[row] = label}. On 0.10+ these are the built-in
--- hints of the heatls clients, on older versions the plugin's own.
function M.shown(bufnr)
  if not M.builtin then
    return vim.deepcopy(shown[bufnr] or {})
  end
  local rows = {}
  local ids = {}
  for _, c in ipairs(compat.clients()) do
    ids[c.id] = true
  end
  for _, item in ipairs(vim.lsp.inlay_hint.get({ bufnr = bufnr })) do
    if ids[item.client_id] then
      local row = item.inlay_hint.position.line
      local text = label_text(item.inlay_hint.label)
      rows[row] = rows[row] and (rows[row] .. ' ' .. text) or text
    end
  end
  return rows
end

return M
