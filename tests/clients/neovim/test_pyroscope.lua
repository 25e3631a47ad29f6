-- :HeatlsPyroscope (editors/neovim/lua/heatls/pyroscope.lua) in a real
-- headless Neovim against the heatls binary and pyroscopesvc, the
-- stand-in for Grafana Pyroscope (testdata/programs/pyroscopesvc, path in
-- HEATLS_PYROSCOPESVC) on 127.0.0.1. run.sh starts it with HEATLS_BIN,
-- HEATLS_TESTDATA and HEATLS_TMP as for test_heatls.lua.
--
-- The pickers: vim.ui.input and vim.ui.select are replaced by ones that
-- record what they were offered and choose like a user would; the
-- services and types offered must be the stand-in's. Then count.go (a copy
-- in the workspace) must be painted as heatls.hotspots says, the progress
-- and status must name "pyroscope: checkout cpu now-15m", the scripted form
-- (every argument) must load without a picker, and a Connect error must be
-- shown as it came with the profile kept. Prints "N passed, M failed";
-- exits with :cquit on any failure.
local h = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h') .. '/harness.lua')
local bin, testdata, scratch, uv = h.bin, h.testdata, h.scratch, h.uv
local ok, notes, noted, wait = h.ok, h.notes, h.noted, h.wait
local svc = os.getenv('HEATLS_PYROSCOPESVC')

-- The pickers: offered[prompt] = the items, answered from choose[prompt].
local offered, choose = {}, {}
vim.ui.select = function(items, opts, on_choice)
  offered[opts.prompt] = items
  local want = choose[opts.prompt]
  for i, item in ipairs(items) do
    local text = opts.format_item and opts.format_item(item) or item
    if text == want then
      return on_choice(item, i)
    end
  end
  on_choice(nil, nil)
end
vim.ui.input = function(opts, on_confirm)
  offered[opts.prompt] = opts.default
  on_confirm(choose[opts.prompt])
end

-- Rows of b that heatls.hotspots gives a global level, and the levels.
local function hot_rows(c, b)
  local best, n = h.hotspot_rows(c, b)
  local want = {}
  for row, hs in pairs(best) do
    if hs[1].global > 0 then
      want[row] = 'HeatlsLevel' .. hs[1].global
    end
  end
  return want, n
end

local function run()
  ok(svc and uv.fs_stat(svc) ~= nil, 'HEATLS_PYROSCOPESVC is the built stand-in', tostring(svc))
  local dir = scratch .. '/wordfreq'
  vim.fn.mkdir(dir, 'p')
  local wordfreq = testdata .. '/programs/wordfreq'
  h.copy(wordfreq, { 'main.go', 'count.go', 'tokenize.go' }, dir)
  vim.cmd('cd ' .. vim.fn.fnameescape(dir))
  local _, port = h.start_service({ svc, '-life', '100s', '-cpu', wordfreq .. '/cpu.pb.gz',
    '-heap', wordfreq .. '/heap.pb.gz', '-user', 'alice', '-password', 'pw-nvim', '-tenant', 't1' },
    'the stand-in listens on 127.0.0.1')
  if not port then
    return
  end

  vim.cmd('runtime! plugin/heatls.lua')
  ok(vim.fn.exists(':HeatlsPyroscope') == 2, ':HeatlsPyroscope is defined')
  local heatls = require('heatls')
  heatls.setup({ cmd = { bin, '--stdio' } })
  vim.cmd('edit count.go')
  local b = vim.api.nvim_get_current_buf()
  ok(wait(function()
    return #heatls.clients(b) == 1
  end, 5000), 'heatls attached to count.go')
  local c = heatls.clients(b)[1]
  if not c then
    return
  end

  -- Every step picked: server, service, type, range.
  local server = string.format('http://alice:pw-nvim@127.0.0.1:%d?tenant=t1', port)
  choose['Pyroscope server: '] = server
  choose['heatls: which service'] = 'checkout'
  choose['heatls: which profile type'] = 'cpu  process_cpu:cpu:nanoseconds:cpu:nanoseconds'
  choose['heatls: which range'] = 'last 15 minutes'
  local name = 'pyroscope: checkout cpu now-15m'
  local r0, n0 = #heatls.progress(), #notes
  vim.cmd('HeatlsPyroscope')
  ok(wait(function()
    return noted('loaded ' .. name, n0) ~= nil
  end, 20000), ':HeatlsPyroscope loads "' .. name .. '"', vim.inspect(notes))
  ok(offered['Pyroscope server: '] == 'http://localhost:4040', 'the server input proposes a default',
    vim.inspect(offered['Pyroscope server: ']))
  ok(vim.deep_equal(offered['heatls: which service'], { 'checkout', 'cart' }),
    'the services offered are the server\'s', vim.inspect(offered['heatls: which service']))
  local types = {}
  for _, t in ipairs(offered['heatls: which profile type'] or {}) do
    table.insert(types, t.id)
  end
  ok(#types == 5 and types[1] == 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
    'the types offered are the server\'s', vim.inspect(types))
  ok(#(offered['heatls: which range'] or {}) == 5, 'five ranges offered')
  local begin
  for i, r in ipairs(heatls.progress()) do
    if i > r0 and r.kind == 'begin' then
      begin = begin or r
    end
  end
  ok(begin and begin.message == name, 'the progress names the source', vim.inspect(begin))

  -- count.go painted as heatls.hotspots says.
  local want, n = hot_rows(c, b)
  local good = wait(function()
    return vim.deep_equal((heatls.painted(b)), want)
  end, 5000)
  ok(n > 0 and next(want) ~= nil and good, 'count.go is painted as heatls.hotspots says',
    vim.inspect({ painted = heatls.painted(b), want = want }))

  local status = h.status(5000)
  ok(status ~= nil and status.path == name, ':HeatlsStatus names the source', vim.inspect(status))
  ok(noted(name .. ': cpu ', n0) ~= nil, 'the status line shown names it')

  -- The next one proposes the last server; the scripted form picks nothing.
  offered = {}
  choose = {}
  local n1 = #notes
  vim.cmd('HeatlsPyroscope ' .. server .. ' cart inuse_space now-30m')
  local cart = 'pyroscope: cart inuse_space now-30m'
  ok(wait(function()
    return noted('loaded ' .. cart, n1) ~= nil
  end, 20000), 'the scripted form loads "' .. cart .. '"', vim.inspect(notes))
  ok(next(offered) == nil, 'the scripted form asks nothing', vim.inspect(offered))
  choose['Pyroscope server: '] = nil
  vim.cmd('HeatlsPyroscope')
  ok(offered['Pyroscope server: '] == server, 'the server input proposes the last one',
    vim.inspect(offered['Pyroscope server: ']))

  -- A Connect error as it came; the profile stays.
  local n2 = #notes
  vim.cmd(string.format('HeatlsPyroscope http://alice:pw-nvim@127.0.0.1:%d/denied?tenant=t1 checkout cpu now-1h', port))
  ok(wait(function()
    return noted('Pyroscope answered permission_denied: this tenant may not read profiles', n2) ~= nil
  end, 10000), 'a Connect error is shown as it came', vim.inspect(notes))
  status = h.status(5000)
  ok(status ~= nil and status.path == cart, 'the previous profile stays', vim.inspect(status))
  local leaked = false
  for _, note in ipairs(notes) do
    leaked = leaked or note.msg:find('pw-nvim', 1, true) ~= nil
  end
  ok(not leaked, 'no message shows the password')
end

h.finish(run)
