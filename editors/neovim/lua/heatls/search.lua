-- heatls.search: :HeatlsSearch, profile-guided code search (the server's
-- heatls.search command, docs/search.md) into the quickfix list. Each entry
-- is the match's file, line and column, and as text the heat of its hottest
-- line then the match's first line: "G5 L4 0.86s  fmt.Errorf(...)".
local compat = require('heatls.compat')
local commands = require('heatls.commands')

local M = {}

-- The search in flight: {client, id} while heatls.search runs.
local pending = nil

M.kinds = { pattern = true, query = true, regex = true }

--- Parses the arguments of :HeatlsSearch: leading flags, then the pattern
--- (the rest of the line, spaces and all). Returns opts, or nil and a message.
---   -regex -query -pattern   the kind (default: a code pattern)
---   -all                      every match (minLevel 0, no profile needed)
---   -level=N                  matches whose hottest line is at least GN (1-5)
---   -local -cold              local levels; keep the matches that are not hot
---   -hot=NAME                 the capture whose lines decide the heat
---   -lang=NAME                one language only
---   -buffer                   the current buffer instead of the workspace
---   --                        ends the flags
function M.parse(line)
  local opts = { kind = 'pattern', min_level = 1, scope = 'workspace' }
  local rest = line or ''
  while true do
    rest = rest:gsub('^%s+', '')
    local flag, after = rest:match('^(%-%-?[%w=_-]*)(.*)$')
    if not flag or (after ~= '' and not after:match('^%s')) then
      break
    end
    if flag == '--' then
      rest = after:gsub('^%s', '', 1)
      break
    end
    local name, value = flag:match('^%-(%w+)=(.*)$')
    name = name or flag:sub(2)
    if M.kinds[name] and not value then
      opts.kind = name
    elseif name == 'all' and not value then
      opts.min_level = 0
    elseif name == 'level' and tonumber(value) and tonumber(value) >= 0 and tonumber(value) <= 5 then
      opts.min_level = math.floor(tonumber(value))
    elseif name == 'local' and not value then
      opts['local'] = true
    elseif name == 'cold' and not value then
      opts.cold = true
    elseif name == 'hot' and value and value ~= '' then
      opts.hot = value
    elseif name == 'lang' and value and value ~= '' then
      opts.language = value
    elseif name == 'buffer' and not value then
      opts.scope = 'buffer'
    else
      return nil, 'unknown flag ' .. flag
        .. ' (-regex, -query, -all, -level=N, -local, -cold, -hot=NAME, -lang=NAME, -buffer, --)'
    end
    rest = after
  end
  if rest == '' then
    return nil, 'HeatlsSearch needs a pattern, e.g. :HeatlsSearch fmt.Errorf($_)'
  end
  opts.pattern = rest
  return opts
end

-- The lines of a file, from its buffer when it is loaded (searched as
-- edited), else from disk; cached per search.
local function lines_of(path, cache)
  if cache[path] == nil then
    local bufnr = vim.fn.bufnr(path)
    if bufnr > 0 and vim.api.nvim_buf_is_loaded(bufnr) then
      cache[path] = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    else
      local ok, lines = pcall(vim.fn.readfile, path)
      cache[path] = ok and lines or {}
    end
  end
  return cache[path]
end

-- The 1-based byte column of a position's character in line.
local function byte_col(line, character, encoding)
  if encoding == 'utf-8' or not line or not line:find('[\128-\255]') then
    return character + 1
  end
  local ok, col
  if compat.has('0.11') then
    ok, col = pcall(vim.str_byteindex, line, encoding, character, false)
  else
    ok, col = pcall(vim.str_byteindex, line, character, encoding == 'utf-16')
  end
  return (ok and col or character) + 1
end

--- The heat of a result as the quickfix text shows it: "G5 L4 0.86s", or
--- "" for a line the profile has no time on.
function M.heat_text(r)
  if (tonumber(r.cum) or 0) == 0 and (r.global or 0) == 0 and (r['local'] or 0) == 0 then
    return ''
  end
  return string.format('G%d L%d %s', r.global or 0, r['local'] or 0, r.cumText or tostring(r.cum))
end

--- A quickfix item for one result of heatls.search.
function M.item(r, encoding, cache)
  local filename = vim.uri_to_fname(r.uri)
  local start = r.range and r.range.start or { line = 0, character = 0 }
  local lnum = start.line + 1
  local heat = M.heat_text(r)
  return {
    filename = filename,
    lnum = lnum,
    col = byte_col(lines_of(filename, cache)[lnum], start.character, encoding),
    text = heat == '' and r.text or (heat .. '  ' .. r.text),
  }
end

--- Runs a search (opts as M.parse makes them), fills the quickfix list and
--- opens it. on_result(err, results) is optional.
function M.search(opts, on_result)
  local bufnr = vim.api.nvim_get_current_buf()
  local c = compat.clients(bufnr)[1] or compat.clients()[1]
  if not c then
    commands.notify('no heatls server is running (call require("heatls").setup() and open a file)',
      vim.log.levels.ERROR)
    return
  end
  local arg = {
    pattern = opts.pattern,
    kind = opts.kind or 'pattern',
    minLevel = opts.min_level or 1,
    scope = 'workspace',
  }
  if opts.scope == 'buffer' then
    arg.scope = vim.uri_from_bufnr(bufnr)
  end
  for _, k in ipairs({ 'language', 'hot', 'local', 'cold', 'limit' }) do
    if opts[k] ~= nil then
      arg[k] = opts[k]
    end
  end
  M.cancel()
  local params = {
    command = 'heatls.search',
    arguments = { arg },
    workDoneToken = require('heatls.progress').token(),
  }
  local ok, id
  ok, id = compat.request(c, 'workspace/executeCommand', params, function(err, result)
    if pending and pending.id == id then
      pending = nil
    end
    if err then
      -- A cancelled search (-32800) is reported by M.cancel: Neovim 0.7
      -- to 0.12 do not pass that answer on.
      if err.code ~= -32800 then
        commands.notify(err.message or tostring(err), vim.log.levels.ERROR)
      end
    else
      local cache, items = {}, {}
      for _, r in ipairs(type(result) == 'table' and result or {}) do
        table.insert(items, M.item(r, c.offset_encoding, cache))
      end
      vim.fn.setqflist({}, ' ', { title = 'heatls search: ' .. opts.pattern, items = items })
      commands.notify(string.format('%d match%s of %s', #items, #items == 1 and '' or 'es',
        opts.pattern))
      vim.cmd('copen')
    end
    if on_result then
      on_result(err, result)
    end
  end, bufnr)
  if ok then
    pending = { client = c, id = id }
  end
end

--- Cancels the search in flight, if any; true when there was one.
function M.cancel()
  if not pending then
    return false
  end
  local p = pending
  pending = nil
  if compat.has('0.11') then
    p.client:cancel_request(p.id)
  else
    p.client.cancel_request(p.id)
  end
  return true
end

--- :HeatlsSearch's body.
function M.command(line)
  local opts, why = M.parse(line)
  if not opts then
    commands.notify(why, vim.log.levels.ERROR)
    return
  end
  M.search(opts)
end

return M
