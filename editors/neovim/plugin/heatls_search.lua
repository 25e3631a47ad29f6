-- :HeatlsSearch and :HeatlsSearchCancel (lua/heatls/search.lua). Nothing
-- runs until require('heatls').setup() has started a server.
if vim.g.loaded_heatls_search or vim.fn.has('nvim-0.7') == 0 then
  return
end
vim.g.loaded_heatls_search = true

local flags = { '-regex', '-query', '-pattern', '-all', '-level=', '-local', '-cold', '-hot=',
  '-lang=', '-buffer', '--' }

vim.api.nvim_create_user_command('HeatlsSearch', function(args)
  if not require('heatls').config then
    vim.notify('heatls: call require("heatls").setup() first', vim.log.levels.ERROR)
    return
  end
  require('heatls.search').command(args.args)
end, {
  nargs = '+',
  complete = function(lead)
    return vim.tbl_filter(function(f)
      return f:sub(1, #lead) == lead
    end, flags)
  end,
  desc = 'heatls: profile-guided code search into the quickfix list',
})

vim.api.nvim_create_user_command('HeatlsSearchCancel', function()
  if require('heatls.search').cancel() then
    vim.notify('heatls: search cancelled', vim.log.levels.INFO)
  else
    vim.notify('heatls: no search in progress', vim.log.levels.INFO)
  end
end, { nargs = 0, desc = 'heatls: cancel the search in progress' })
