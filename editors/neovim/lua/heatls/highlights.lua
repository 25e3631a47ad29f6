-- heatls.highlights: the highlight groups HeatlsLevel1..HeatlsLevel5 (line
-- backgrounds, warm to hot), HeatlsImprovement1..HeatlsImprovement5 (the
-- lines that got cheaper in a diff against a base, pale to deep blue-green)
-- and HeatlsHint (hint text). All are defined with default = true, so a
-- colour scheme or the user's own :highlight wins.
local M = {}

M.levels = 5

-- Background ramps, level 1 first: pale amber to red.
local gui = {
  dark = { '#332b1a', '#473316', '#5c3213', '#702814', '#8a1c1c' },
  light = { '#fff5d6', '#ffe6ad', '#ffd08f', '#ffb185', '#ff8f80' },
}
local cterm = {
  dark = { 58, 94, 130, 124, 160 },
  light = { 230, 223, 216, 210, 217 },
}

-- Improvement ramps, level -1 first: cool colours, pale to deep.
local improvement_gui = {
  dark = { '#1a2e33', '#163d47', '#134a5c', '#145770', '#1c5f8a' },
  light = { '#e0f5f5', '#c2ecef', '#a3dde6', '#85c8e0', '#6aaee0' },
}
local improvement_cterm = {
  dark = { 23, 24, 30, 31, 25 },
  light = { 195, 159, 152, 117, 111 },
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
    vim.api.nvim_set_hl(0, M.group(i), {
      bg = gui[bg][i],
      ctermbg = cterm[bg][i],
      default = true,
    })
    vim.api.nvim_set_hl(0, M.group(-i), {
      bg = improvement_gui[bg][i],
      ctermbg = improvement_cterm[bg][i],
      default = true,
    })
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
