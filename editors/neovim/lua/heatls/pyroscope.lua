-- heatls.pyroscope: :HeatlsPyroscope, a profile from a Grafana Pyroscope
-- server. With every argument it loads at once (for scripts and
-- mappings); each missing one is asked for: the server URL with
-- vim.ui.input (proposing the last one), the service and the profile type
-- with vim.ui.select from what the server has (heatls.pyroscopeServices),
-- the range with vim.ui.select (last 15 minutes, hour, 6 hours, 24 hours,
-- or custom from/until). The load is heatls.loadProfile with a
-- pyroscope+http(s):// source (docs/protocol.md, "Profiles from
-- Pyroscope"), with its progress as a capture's. Works on Neovim 0.7+.
local compat = require('heatls.compat')
local commands = require('heatls.commands')

local M = {}

M.ranges = {
  { label = 'last 15 minutes', from = 'now-15m' },
  { label = 'last hour', from = 'now-1h' },
  { label = 'last 6 hours', from = 'now-6h' },
  { label = 'last 24 hours', from = 'now-24h' },
  { label = 'custom...' },
}

--- The server last used (proposed by the next :HeatlsPyroscope).
M.last_server = nil

local function encode(s)
  return (s:gsub('[^%w%-%._~]', function(ch)
    return string.format('%%%02X', ch:byte())
  end))
end

--- The pyroscope+ source for server (http(s):// or pyroscope+http(s)://,
--- it may carry ?tenant=...), service, type (a short name or an id), from
--- and until (nil: the server's defaults, now-1h and now).
function M.source(server, service, type_, from, until_)
  local base, query = server:match('^([^?#]*)%??([^#]*)')
  if not base:match('^pyroscope%+') then
    base = 'pyroscope+' .. base
  end
  local params = {}
  if query ~= '' then
    table.insert(params, query)
  end
  for _, kv in ipairs({ { 'service', service }, { 'type', type_ }, { 'from', from }, { 'until', until_ } }) do
    if kv[2] and kv[2] ~= '' then
      table.insert(params, kv[1] .. '=' .. encode(kv[2]))
    end
  end
  return base:gsub('/+$', '') .. '/?' .. table.concat(params, '&')
end

--- What the server at server has: on_result(err, {services, types}).
function M.services(server, on_result)
  local c = commands.client()
  if not c then
    return
  end
  compat.request(c, 'workspace/executeCommand',
    { command = 'heatls.pyroscopeServices', arguments = { server } }, function(err, result)
      if err then
        commands.notify(err.message or tostring(err), vim.log.levels.ERROR)
      end
      on_result(err, result)
    end, vim.api.nvim_get_current_buf())
end

--- Loads service's type over from..until from server; on_result(err,
--- summary) is optional.
function M.load(server, service, type_, from, until_, on_result)
  M.last_server = server
  commands.capture(M.source(server, service, type_, from, until_), nil, false, on_result)
end

local function ask_range(on_range)
  vim.ui.select(M.ranges, {
    prompt = 'heatls: which range',
    format_item = function(r)
      return r.label
    end,
  }, function(r)
    if not r then
      return
    end
    if r.from then
      return on_range(r.from, nil)
    end
    vim.ui.input({ prompt = 'from (now-2h, unix seconds, RFC 3339): ', default = 'now-1h' }, function(from)
      if not from or from == '' then
        return
      end
      vim.ui.input({ prompt = 'until: ', default = 'now' }, function(until_)
        if until_ then
          on_range(from, until_ ~= '' and until_ or nil)
        end
      end)
    end)
  end)
end

--- :HeatlsPyroscope [SERVER [SERVICE [TYPE [FROM [UNTIL]]]]], asking for
--- what is missing.
function M.run(args, on_result)
  args = args or {}
  local function with_server(server)
    if not server or server == '' then
      return
    end
    M.last_server = server
    local service, type_, from, until_ = args[2], args[3], args[4], args[5]
    if service and type_ and from then
      return M.load(server, service, type_, from, until_, on_result)
    end
    M.services(server, function(err, have)
      if err or type(have) ~= 'table' then
        return
      end
      local function with_type(t)
        if not t then
          return
        end
        if from then
          return M.load(server, service, t, from, until_, on_result)
        end
        ask_range(function(f, u)
          M.load(server, service, t, f, u, on_result)
        end)
      end
      local function with_service(s)
        if not s then
          return
        end
        service = s
        if type_ then
          return with_type(type_)
        end
        vim.ui.select(have.types or {}, {
          prompt = 'heatls: which profile type',
          format_item = function(t)
            return t.name ~= vim.NIL and t.name and (t.name .. '  ' .. t.id) or t.id
          end,
        }, function(t)
          with_type(t and ((t.name ~= vim.NIL and t.name) or t.id))
        end)
      end
      if service then
        return with_service(service)
      end
      if #(have.services or {}) == 0 then
        commands.notify('the server has no services in the last 24 hours', vim.log.levels.WARN)
        return
      end
      vim.ui.select(have.services, { prompt = 'heatls: which service' }, with_service)
    end)
  end
  if args[1] then
    return with_server(args[1])
  end
  vim.ui.input({ prompt = 'Pyroscope server: ', default = M.last_server or 'http://localhost:4040' },
    with_server)
end

return M
