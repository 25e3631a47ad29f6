-- heatls.commands: what :HeatlsLoad, :HeatlsCapture, :HeatlsReload,
-- :HeatlsCancel, :HeatlsClear, :HeatlsHotspots and :HeatlsToggle do, through
-- workspace/executeCommand and workspace/didChangeConfiguration. Each works
-- on the heatls client of the current buffer, or the first one running when
-- the buffer has none.
local compat = require('heatls.compat')

-- vim.uv since 0.10, vim.loop before.
local uv = vim.uv or vim.loop

local M = {}

M.modes = { 'both', 'global', 'local', 'off' }

-- The last message shown, so that an error the server reports twice (the
-- request's error and window/showMessage) is shown once.
local last = { text = nil, time = 0 }

--- vim.notify with a "heatls: " prefix, dropping a repeat within 2 seconds.
function M.notify(text, level)
  local now = uv.now()
  if text == last.text and now - last.time < 2000 then
    return
  end
  last.text, last.time = text, now
  vim.notify('heatls: ' .. text, level or vim.log.levels.INFO)
end

--- window/showMessage from the server, through M.notify.
function M.show_message_handler(_, result, _)
  if type(result) ~= 'table' or type(result.message) ~= 'string' then
    return vim.NIL
  end
  local levels = { vim.log.levels.ERROR, vim.log.levels.WARN, vim.log.levels.INFO, vim.log.levels.DEBUG }
  M.notify(result.message, levels[result.type] or vim.log.levels.INFO)
  return vim.NIL
end

function M.client()
  local c = compat.clients(vim.api.nvim_get_current_buf())[1] or compat.clients()[1]
  if not c then
    M.notify('no heatls server is running (call require("heatls").setup() and open a file)',
      vim.log.levels.ERROR)
  end
  return c
end

-- The commands whose answer is the summary of the loaded profile (or null).
local summary_commands = {
  ['heatls.loadProfile'] = true,
  ['heatls.reloadProfile'] = true,
  ['heatls.status'] = true,
  ['heatls.compare'] = true,
}

function M.execute(c, command, arguments, on_result, token)
  local params = { command = command, arguments = arguments or {} }
  if token then
    -- Progress on a token of ours: the server reports on it whether or not
    -- the client announced window.workDoneProgress.
    params.workDoneToken = token
  end
  compat.request(c, 'workspace/executeCommand', params, function(err, result)
    if err and err.code == -32800 then
      -- Cancelled (:HeatlsCancel); Neovim 0.7 to 0.12 do not pass this
      -- answer on, so heatls.progress says it when the progress ends.
      M.notify('cancelled; the previous profile stays')
    elseif err then
      M.notify(err.message or tostring(err), vim.log.levels.ERROR)
    end
    if err then
      if on_result then
        on_result(err, nil)
      end
      return
    end
    if summary_commands[command] then
      require('heatls.compare').record(c.id, result)
    elseif command == 'heatls.clearProfile' then
      require('heatls.compare').record(c.id, nil)
    end
    if on_result then
      on_result(nil, result)
    end
  end, vim.api.nvim_get_current_buf())
end

local client, execute = M.client, M.execute

--- Runs command on c like M.execute and, when the answer is a summary,
--- shows it after prefix ("loaded ", "compared "). on_result(err,
--- summary) is optional.
function M.execute_summary(c, command, arguments, prefix, on_result, token)
  execute(c, command, arguments, function(err, result)
    if not err and type(result) == 'table' then
      M.notify(prefix .. M.summary_text(result))
    end
    if on_result then
      on_result(err, result)
    end
  end, token)
end

--- A one-line summary of a loaded profile (heatls.loadProfile's answer).
--- Several merged profiles are named by their paths; a diff against a base
--- is told by heatls.compare.
function M.summary_text(s)
  if s.diff == true then
    return require('heatls.compare').summary_text(s)
  end
  local path = s.path or '?'
  if type(s.paths) == 'table' and #s.paths > 1 then
    path = table.concat(s.paths, ' + ')
  end
  return string.format('%s: %s %s, %d files, %d functions, %d lines, %d open documents',
    path, s.sampleType or '?', s.totalText or tostring(s.total), s.files or 0,
    s.functions or 0, s.lines or 0, s.documents or 0)
end

--- A profile argument as the server takes it: a URL as given; a path
--- absolute, from the current directory, with ~ and $VARS expanded; a
--- glob (*, ?, [) left for the server to expand.
function M.full_path(path)
  if path:match('^%a[%w+.-]*://') then
    return path
  end
  if path:find('[*?%[]') then
    return vim.fn.fnamemodify(path, ':p')
  end
  return vim.fn.fnamemodify(vim.fn.expand(path), ':p')
end

--- Loads a profile, or several merged into one (paths: a string or a list
--- of paths, URLs and globs); a relative path is taken from the current
--- directory. on_result(err, summary) is optional.
function M.load(paths, on_result)
  local c = client()
  if not c then
    return
  end
  if type(paths) == 'string' then
    paths = paths ~= '' and { paths } or {}
  end
  if type(paths) ~= 'table' or #paths == 0 then
    M.notify('HeatlsLoad needs the path of a profile', vim.log.levels.ERROR)
    return
  end
  local full = {}
  for _, p in ipairs(paths) do
    table.insert(full, M.full_path(p))
  end
  -- One plain path keeps the plain argument form; a glob goes in paths.
  local argument = { paths = full }
  if #full == 1 and not full[1]:find('[*?%[]') then
    argument = full[1]
  end
  M.execute_summary(c, 'heatls.loadProfile', { argument }, 'loaded ', on_result)
end

--- Captures a profile from a URL (a Go service's net/http/pprof, e.g.
--- "localhost:6060" or "http://host:6060/debug/pprof/heap"): seconds is the
--- capture's duration (nil: the server's default), repeat captures again
--- back to back until :HeatlsClear, another load or :HeatlsCancel. Progress
--- is shown as it comes (heatls.progress). on_result(err, summary) is
--- optional; with repeat it is called for the first round only, and not
--- for a capture cancelled by :HeatlsCancel.
function M.capture(url, seconds, repeat_, on_result)
  local c = client()
  if not c then
    return
  end
  if not url or url == '' then
    M.notify('HeatlsCapture needs a URL, e.g. localhost:6060', vim.log.levels.ERROR)
    return
  end
  local arg = { path = url }
  if seconds then
    arg.seconds = seconds
  end
  if repeat_ then
    arg['repeat'] = true
  end
  M.execute_summary(c, 'heatls.loadProfile', { arg }, 'loaded ', on_result,
    require('heatls.progress').token())
end

--- Loads the loaded profile's source again (a URL is captured again).
function M.reload(on_result)
  local c = client()
  if not c then
    return
  end
  M.execute_summary(c, 'heatls.reloadProfile', {}, 'loaded ', on_result,
    require('heatls.progress').token())
end

--- Cancels the captures in progress (and ends a repeated capture).
function M.cancel()
  local c = client()
  if not c then
    return
  end
  local n = require('heatls.progress').cancel(c)
  if n == 0 then
    M.notify('no capture in progress (the next round of a repeated one is cancelled if it begins)')
  end
end

function M.clear(on_result)
  local c = client()
  if not c then
    return
  end
  execute(c, 'heatls.clearProfile', {}, function(err, result)
    if not err then
      M.notify('profile cleared')
      -- The server sends empty decorations and a hint refresh; ask anyway
      -- in case the refresh is not supported.
      require('heatls.hints').refresh_handler(nil, nil, { client_id = c.id })
    end
    if on_result then
      on_result(err, result)
    end
  end)
end

function M.status(on_result)
  local c = client()
  if not c then
    return
  end
  execute(c, 'heatls.status', {}, function(err, result)
    if not err then
      if type(result) == 'table' then
        M.notify(M.summary_text(result))
      else
        M.notify('no profile loaded')
      end
    end
    if on_result then
      on_result(err, result)
    end
  end)
end

--- A quickfix item for one entry of heatls.hotspots.
function M.hotspot_item(h)
  local filename = h.path
  if type(h.uri) == 'string' then
    filename = vim.uri_to_fname(h.uri)
  end
  return {
    filename = filename,
    lnum = (tonumber(h.line) or 0) + 1,
    col = 1,
    text = string.format('G%d L%d %s %s', h.global or 0, h['local'] or 0,
      h.cumText or tostring(h.cum), h['function'] or ''),
  }
end

--- Fills the quickfix list with the hottest lines and opens it.
function M.hotspots(limit, on_result)
  local c = client()
  if not c then
    return
  end
  local args = {}
  if limit then
    args = { { limit = limit } }
  end
  execute(c, 'heatls.hotspots', args, function(err, result)
    if not err then
      local items = {}
      for _, h in ipairs(type(result) == 'table' and result or {}) do
        table.insert(items, M.hotspot_item(h))
      end
      vim.fn.setqflist({}, ' ', { title = 'heatls hotspots', items = items })
      vim.cmd('copen')
    end
    if on_result then
      on_result(err, result)
    end
  end)
end

--- The hints mode after mode: both -> global -> local -> off -> both.
function M.next_mode(mode)
  for i, m in ipairs(M.modes) do
    if m == mode then
      return M.modes[i % #M.modes + 1]
    end
  end
  return 'both'
end

--- Sets the hints mode of every heatls client (the next one when mode is
--- nil); the server answers with new decorations and a hint refresh.
function M.toggle(mode)
  local clients = compat.clients()
  if #clients == 0 then
    client() -- reports that none runs
    return
  end
  local config = require('heatls').config
  local current = config.settings.hints or 'both'
  mode = mode or M.next_mode(current)
  if not vim.tbl_contains(M.modes, mode) then
    M.notify('unknown hints mode "' .. mode .. '" (both, global, local or off)',
      vim.log.levels.ERROR)
    return
  end
  config.settings.hints = mode
  for _, c in ipairs(clients) do
    -- workspace/configuration is answered from the client's settings
    -- (client.settings on 0.10+, client.config.settings before).
    for _, settings in ipairs({ c.settings, c.config and c.config.settings }) do
      if type(settings) == 'table' and type(settings.heatls) == 'table' then
        settings.heatls.hints = mode
      end
    end
    compat.notify(c, 'workspace/didChangeConfiguration',
      { settings = { heatls = { hints = mode } } })
  end
  M.notify('hints: ' .. mode)
end

return M
