-- heatls user commands. Nothing starts until require('heatls').setup().
if vim.g.loaded_heatls or vim.fn.has('nvim-0.7') == 0 then
  return
end
vim.g.loaded_heatls = true

local function heatls()
  local h = require('heatls')
  if not h.config then
    vim.notify('heatls: call require("heatls").setup() first', vim.log.levels.ERROR)
    return nil
  end
  return h
end

-- A command without arguments that calls require('heatls')[fn]().
local function simple_command(name, fn, desc)
  vim.api.nvim_create_user_command(name, function()
    local h = heatls()
    if h then
      h[fn]()
    end
  end, { nargs = 0, desc = desc })
end

vim.api.nvim_create_user_command('HeatlsLoad', function(args)
  local h = heatls()
  if h then
    h.load(args.fargs)
  end
end, { nargs = '+', complete = 'file', desc = 'heatls: load pprof profiles (several are merged)' })

vim.api.nvim_create_user_command('HeatlsCapture', function(args)
  local h = heatls()
  if not h then
    return
  end
  local url, seconds = args.fargs[1], args.fargs[2]
  local n = tonumber(seconds)
  if #args.fargs > 2 or (seconds and not (n and n >= 0 and n == math.floor(n))) then
    vim.notify('heatls: HeatlsCapture takes a URL and a whole number of seconds',
      vim.log.levels.ERROR)
    return
  end
  h.capture(url, n, args.bang)
end, {
  nargs = '+',
  bang = true,
  desc = 'heatls: capture a profile from a URL (! captures again and again)',
})

vim.api.nvim_create_user_command('HeatlsPyroscope', function(args)
  if heatls() then
    require('heatls.pyroscope').run(args.fargs)
  end
end, {
  nargs = '*',
  desc = 'heatls: load from Grafana Pyroscope [SERVER [SERVICE [TYPE [FROM [UNTIL]]]]]',
})

simple_command('HeatlsReload', 'reload', 'heatls: load the profile again from its file or URL')

simple_command('HeatlsCancel', 'cancel', 'heatls: cancel a capture, end a repeated one')

simple_command('HeatlsClear', 'clear', 'heatls: unload the profile')

vim.api.nvim_create_user_command('HeatlsHotspots', function(args)
  local h = heatls()
  if h then
    local limit = tonumber(args.args)
    if args.args ~= '' and not limit then
      vim.notify('heatls: HeatlsHotspots takes a number of lines', vim.log.levels.ERROR)
      return
    end
    h.hotspots(limit)
  end
end, { nargs = '?', desc = 'heatls: the hottest lines in the quickfix list' })

vim.api.nvim_create_user_command('HeatlsToggle', function(args)
  local h = heatls()
  if h then
    h.toggle(args.args ~= '' and args.args or nil)
  end
end, {
  nargs = '?',
  complete = function()
    return { 'both', 'global', 'local', 'off' }
  end,
  desc = 'heatls: next hints mode (both, global, local, off)',
})

simple_command('HeatlsStatus', 'status', 'heatls: the loaded profile')

vim.api.nvim_create_user_command('HeatlsCompare', function(args)
  local h = heatls()
  if h then
    h.compare(args.fargs, args.bang)
  end
end, {
  nargs = '+',
  bang = true,
  complete = 'file',
  desc = 'heatls: compare the profile with base profiles (! normalizes the base)',
})

simple_command('HeatlsCompareClear', 'compare_clear',
  'heatls: remove the base, show the profile\'s own heat')
