-- heatls.progress: the server's work-done progress ($/progress) while a
-- profile is fetched or captured: "capturing CPU profile: 12 s of 30",
-- "received 812.0 of 1654.3 KiB (49%)", then "loaded", "failed" or
-- "cancelled". Neovim 0.7 has no progress display of its own, so each
-- message is shown through vim.notify (option `progress` of setup(); on by
-- default); Neovim's own handler runs too, so vim.lsp.status() (0.10+), the
-- LspProgress autocommand (0.10+) and LspProgressUpdate (0.7 .. 0.9) see
-- the same reports. Tokens of the plugin's own requests come from token();
-- those of a repeated capture's later rounds are the server's.
local compat = require('heatls.compat')

local M = {}

-- Show each report through vim.notify.
M.show = true

-- Every report received, oldest first (at most 200):
-- {token, kind, title, message, percentage}.
local log = {}
-- client id -> {[token] = {title, cancelled}} while a progress is open.
local open = {}
-- client id -> the time (uv.now()) of a cancel that found no progress open:
-- between two rounds of a repeated capture there is none, so the next
-- round to begin (on a token of the server's) within 2 s is cancelled.
local cancel_next = {}
local counter = 0

local uv = vim.uv or vim.loop

--- A fresh work-done token for a request of the plugin.
function M.token()
  counter = counter + 1
  return string.format('heatls-nvim-%d', counter)
end

local function text(value, title)
  local parts = {}
  if title and title ~= '' then
    table.insert(parts, (title:gsub('^heatls: ', '')))
  end
  if type(value.message) == 'string' and value.message ~= '' then
    table.insert(parts, value.message)
  end
  return table.concat(parts, ': ')
end

--- The handler of $/progress: records the report, shows it, then passes it
--- to Neovim's own handler.
function M.handler(err, result, ctx, config)
  if not err and type(result) == 'table' and type(result.value) == 'table' then
    local value, token = result.value, result.token
    local id = ctx and ctx.client_id or 0
    open[id] = open[id] or {}
    local title
    if value.kind == 'begin' then
      open[id][token] = { title = value.title }
      title = value.title
      local own = type(token) == 'string' and token:find('^heatls%-nvim%-') ~= nil
      if cancel_next[id] and not own and uv.now() - cancel_next[id] < 2000 then
        cancel_next[id] = nil
        local c = vim.lsp.get_client_by_id(id)
        if c then
          open[id][token].cancelled = true
          compat.notify(c, 'window/workDoneProgress/cancel', { token = token })
        end
      end
    elseif open[id][token] then
      title = open[id][token].title
    end
    local cancelled = false
    if value.kind == 'end' then
      cancelled = open[id][token] and open[id][token].cancelled
      open[id][token] = nil
    end
    table.insert(log, {
      token = token,
      kind = value.kind,
      title = title,
      message = value.message,
      percentage = value.percentage,
    })
    if #log > 200 then
      table.remove(log, 1)
    end
    if cancelled then
      -- Neovim does not pass a request's "cancelled" answer on: say it here.
      require('heatls.commands').notify('cancelled; the previous profile stays')
    elseif M.show and (value.kind ~= 'begin' or value.message) then
      local line = text(value, title)
      if value.kind == 'report' and value.percentage and not line:find('%d+%%') then
        line = string.format('%s (%d%%)', line, value.percentage)
      end
      vim.notify('heatls: ' .. line, vim.log.levels.INFO)
    end
  end
  local default = vim.lsp.handlers['$/progress']
  if default then
    return default(err, result, ctx, config)
  end
end

--- Cancels every open progress of client c (window/workDoneProgress/cancel);
--- returns how many. When none is open (as between two rounds of a
--- repeated capture), the next round that begins within 2 s is cancelled.
function M.cancel(c)
  local n = 0
  for token, entry in pairs(open[c.id] or {}) do
    entry.cancelled = true
    compat.notify(c, 'window/workDoneProgress/cancel', { token = token })
    n = n + 1
  end
  cancel_next[c.id] = n == 0 and uv.now() or nil
  return n
end

--- The reports received so far (a copy), oldest first.
function M.reports()
  return vim.deepcopy(log)
end

return M
