-- heatls.compare: a diff against a base profile. :HeatlsCompare sets the
-- base of the loaded profile (heatls.compare), :HeatlsCompareClear removes
-- it; the server then sends signed levels (decorations.lua paints the
-- negative ones with HeatlsImprovementN) and diff hints. This module also
-- keeps the last summary of each client (from every load, compare, reload
-- and status answer) for statusline(), and asks for a fresh one when the
-- decorations start or stop being a diff's (a base set through the
-- settings, a load with a base).
local compat = require('heatls.compat')

local M = {}

-- client id -> the last summary (nil: no profile loaded)
local summaries = {}
-- client id -> true while a heatls.status asked by on_decorations is out
local asking = {}

--- Notes summary (a load, compare, reload or status answer; nil when no
--- profile is loaded) as client_id's current one.
function M.record(client_id, summary)
  if client_id then
    summaries[client_id] = type(summary) == 'table' and summary or nil
  end
end

--- The last summary of client_id (nil when none is known).
function M.summary(client_id)
  return summaries[client_id]
end

local function basename(path)
  if tostring(path):sub(1, 6) == 'live: ' then
    return path -- a capture's source: "live: 127.0.0.1:6060 cpu 30s"
  end
  return (tostring(path):gsub('/+$', ''):match('[^/]+$')) or tostring(path)
end

-- "cpu.pb.gz", "a.pb.gz + b.pb.gz", or "3 profiles" (noun: "profiles", "bases").
local function names(paths, noun)
  if type(paths) == 'string' then
    paths = { paths }
  end
  if type(paths) ~= 'table' or #paths == 0 then
    return '?'
  end
  if #paths > 2 then
    return string.format('%d %s', #paths, noun)
  end
  local out = {}
  for _, p in ipairs(paths) do
    table.insert(out, basename(p))
  end
  return table.concat(out, ' + ')
end

--- The net change of a diff summary: "+7.40s, +9.98%" (the percentage of
--- the base's total; left out when the server gives none).
function M.net_text(s)
  local net = s.netText or tostring(s.net or '?')
  local pct = tonumber(s.netPercent)
  if pct then
    return string.format('%s, %+.2f%%', net, pct)
  end
  return net
end

--- The short form of a diff summary, for a statusline:
--- "diff: a.pb.gz + b.pb.gz vs base.pb.gz (+7.40s, +9.98%)".
function M.short_text(s)
  local new = s.paths
  if type(new) ~= 'table' or #new < 2 then
    new = { s.path }
  end
  return string.format('diff: %s vs %s (%s)', names(new, 'profiles'), names(s.base, 'bases'),
    M.net_text(s))
end

--- The whole line of a diff summary, for :HeatlsStatus and the answers of
--- loads and compares.
function M.summary_text(s)
  return string.format('%s%s, %s %s vs base %s, %d regressions, %d improvements, '
    .. '%d files, %d functions, %d lines, %d open documents',
    M.short_text(s), s.normalize == true and ' normalized' or '', s.sampleType or '?',
    s.totalText or tostring(s.total), s.baseTotalText or tostring(s.baseTotal),
    s.regressions or 0, s.improvements or 0, s.files or 0, s.functions or 0, s.lines or 0,
    s.documents or 0)
end

--- The text for a statusline: "heatls: diff: ... (+7.40s, +9.98%)" in a
--- diff, "heatls: cpu.pb.gz" with a profile, "" without one (or without a
--- heatls client for bufnr, default the current buffer).
function M.statusline(bufnr)
  local c = compat.clients(bufnr or vim.api.nvim_get_current_buf())[1]
  local s = c and summaries[c.id]
  if not s then
    return ''
  end
  if s.diff == true then
    return 'heatls: ' .. M.short_text(s)
  end
  local paths = s.paths
  if type(paths) ~= 'table' or #paths < 2 then
    paths = { s.path }
  end
  return 'heatls: ' .. names(paths, 'profiles')
end

--- Called with each heatls/decorations: when whether it is a diff's differs
--- from the last summary, the summary is old (the base changed through the
--- settings, or a load came with one): ask for the current one.
function M.on_decorations(client_id, diff)
  local s = summaries[client_id]
  if asking[client_id] or (s and (s.diff == true) == diff) or (not s and not diff) then
    return
  end
  local c = client_id and vim.lsp.get_client_by_id(client_id)
  if not c then
    return
  end
  asking[client_id] = true
  compat.request(c, 'workspace/executeCommand', { command = 'heatls.status', arguments = {} },
    function(err, result)
      asking[client_id] = nil
      if not err then
        M.record(client_id, result)
      end
    end)
end

--- Forgets the summary of a client that exited.
function M.on_exit(client_id)
  summaries[client_id] = nil
  asking[client_id] = nil
end

local function base_list(bases)
  if type(bases) == 'string' then
    bases = { bases }
  end
  local out = {}
  for _, b in ipairs(type(bases) == 'table' and bases or {}) do
    table.insert(out, require('heatls.commands').full_path(b))
  end
  return out
end

--- Compares the loaded profile with bases (a path, URL or glob, or a list
--- of them, merged); normalize scales the base to the profile's total.
--- on_result(err, summary) is optional.
function M.compare(bases, normalize, on_result)
  local commands = require('heatls.commands')
  local c = commands.client()
  if not c then
    return
  end
  local list = base_list(bases)
  if #list == 0 then
    commands.notify('HeatlsCompare needs the path of a base profile', vim.log.levels.ERROR)
    return
  end
  commands.execute_summary(c, 'heatls.compare', { { base = list, normalize = normalize == true } },
    'compared ', on_result)
end

--- Removes the base: the loaded profile's plain heat comes back.
--- on_result(err, summary) is optional.
function M.clear(on_result)
  local commands = require('heatls.commands')
  local c = commands.client()
  if not c then
    return
  end
  commands.execute_summary(c, 'heatls.compare', {}, 'base cleared: ', on_result)
end

return M
