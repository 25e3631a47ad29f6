-- heatls.decorations: the heatls/decorations notification painted as line
-- highlights. Each notification replaces everything painted in its buffer.
-- The plugin keeps its own record of the extmarks it placed (Neovim 0.7 does
-- not report line_hl_group back), readable with painted().
local highlights = require('heatls.highlights')

local M = {}

M.ns = vim.api.nvim_create_namespace('heatls')

-- bufnr -> {mode = string, version = number, marks = {[extmark id] = group},
--           lines = the notification's lines, diff = true in diff mode}
local state = {}

--- The level a line gets painted with in mode: the global level, the local
--- one when mode is "local", none when "off". In a diff against a base the
--- levels are signed: -1..-5 for the lines that got cheaper.
function M.level(line, mode)
  if mode == 'off' then
    return 0
  end
  local level = mode == 'local' and line['local'] or line.global
  return tonumber(level) or 0
end

--- Removes the line colours of bufnr and forgets them.
function M.clear(bufnr)
  if vim.api.nvim_buf_is_valid(bufnr) then
    vim.api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
  end
  state[bufnr] = nil
end

function M.clear_all()
  for bufnr in pairs(state) do
    M.clear(bufnr)
  end
end

--- Paints lines (the notification's entries) in bufnr, replacing what was
--- there: a level above 0 with its HeatlsLevelN, one below 0 (an improvement
--- in a diff) with its HeatlsImprovementN.
function M.paint(bufnr, mode, lines, version, diff)
  vim.api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
  local count = vim.api.nvim_buf_line_count(bufnr)
  local marks = {}
  for _, line in ipairs(lines) do
    local level = math.max(-highlights.levels, math.min(M.level(line, mode), highlights.levels))
    local row = tonumber(line.line)
    if level ~= 0 and row and row >= 0 and row < count then
      local group = highlights.group(level)
      local id = vim.api.nvim_buf_set_extmark(bufnr, M.ns, row, 0, {
        line_hl_group = group,
      })
      marks[id] = group
    end
  end
  state[bufnr] = { mode = mode, version = version, marks = marks, lines = lines, diff = diff }
end

--- The handler of heatls/decorations (a notification: returns nothing).
function M.handler(err, result, ctx)
  if err or type(result) ~= 'table' or type(result.uri) ~= 'string' then
    return
  end
  local bufnr = vim.uri_to_bufnr(result.uri)
  if not vim.api.nvim_buf_is_loaded(bufnr) then
    return
  end
  local lines = type(result.lines) == 'table' and result.lines or {}
  local diff = result.diff == true
  M.paint(bufnr, result.mode or 'both', lines, result.version, diff)
  require('heatls.hints').on_decorations(bufnr, ctx and ctx.client_id)
  require('heatls.compare').on_decorations(ctx and ctx.client_id, diff)
end

--- What the plugin painted in bufnr: {[row] = 'HeatlsLevelN' or
--- 'HeatlsImprovementN'} with each row where its extmark is now (extmarks
--- move with edits), then the mode and the document version of the last
--- notification (nil when none came), and whether it was a diff's.
function M.painted(bufnr)
  local s = state[bufnr]
  local rows = {}
  if not s or not vim.api.nvim_buf_is_valid(bufnr) then
    return rows, nil, nil, false
  end
  for id, group in pairs(s.marks) do
    local pos = vim.api.nvim_buf_get_extmark_by_id(bufnr, M.ns, id, {})
    if pos and pos[1] then
      rows[pos[1]] = group
    end
  end
  return rows, s.mode, s.version, s.diff == true
end

--- The entries of the last notification for bufnr (levels, flat, cum).
function M.lines(bufnr)
  return state[bufnr] and state[bufnr].lines or {}
end

return M
