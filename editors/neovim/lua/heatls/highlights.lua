-- heatls.highlights: the highlight groups HeatlsLevel1..HeatlsLevel5 (line
-- backgrounds, warm to hot), HeatlsImprovement1..HeatlsImprovement5 (the
-- lines that got cheaper in a diff against a base, pale to deep blue-green)
-- and HeatlsHint (hint text). All are defined with default = true, so a
-- colour scheme or the user's own :highlight wins.
local M = {}

M.levels = 5

-- The background ramps by sign of the level, level 1 (or -1) first,
-- as gui colours then cterm numbers: heat from pale amber to red,
-- improvements in cool colours from pale to deep.
local ramps = {
  [1] = {
    dark = { { '#332b1a', '#473316', '#5c3213', '#702814', '#8a1c1c' }, { 58, 94, 130, 124, 160 } },
    light = { { '#fff5d6', '#ffe6ad', '#ffd08f', '#ffb185', '#ff8f80' }, { 230, 223, 216, 210, 217 } },
  },
  [-1] = {
    dark = { { '#1a2e33', '#163d47', '#134a5c', '#145770', '#1c5f8a' }, { 23, 24, 30, 31, 25 } },
    light = { { '#e0f5f5', '#c2ecef', '#a3dde6', '#85c8e0', '#6aaee0' }, { 195, 159, 152, 117, 111 } },
  },
}

--- The group of a level: HeatlsLevelN for N > 0, HeatlsImprovementN for
--- the level -N of a diff, nil for 0.
function M.group(level)
  if level > 0 then
    return 'HeatlsLevel' .. level
  elseif level < 0 then
    return 'HeatlsImprovement' .. -level
  end
  return nil
end

function M.define()
  local bg = vim.o.background == 'light' and 'light' or 'dark'
  for i = 1, M.levels do
    for _, sign in ipairs({ 1, -1 }) do
      local gui, cterm = ramps[sign][bg][1], ramps[sign][bg][2]
      vim.api.nvim_set_hl(0, M.group(sign * i), { bg = gui[i], ctermbg = cterm[i], default = true })
    end
  end
  vim.api.nvim_set_hl(0, 'HeatlsHint', { link = 'Comment', default = true })
end

--- Defines the groups now and again after every :colorscheme (which clears them).
function M.setup(augroup)
  M.define()
  vim.api.nvim_create_autocmd('ColorScheme', {
    group = augroup,
    callback = M.define,
    desc = 'heatls: define the HeatlsLevelN, HeatlsImprovementN and HeatlsHint groups',
  })
end

return M
