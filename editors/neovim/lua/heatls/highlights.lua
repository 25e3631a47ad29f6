-- heatls.highlights: the highlight groups HeatlsLevel1..HeatlsLevel5 (line
-- backgrounds, warm to hot) and HeatlsHint (hint text). All are defined with
-- default = true, so a colour scheme or the user's own :highlight wins.
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

function M.group(level)
  return 'HeatlsLevel' .. level
end

function M.define()
  local bg = vim.o.background == 'light' and 'light' or 'dark'
  for i = 1, M.levels do
    vim.api.nvim_set_hl(0, M.group(i), {
      bg = gui[bg][i],
      ctermbg = cterm[bg][i],
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
    desc = 'heatls: define the HeatlsLevelN and HeatlsHint groups',
  })
end

return M
