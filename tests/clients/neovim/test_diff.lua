-- The Neovim client (editors/neovim) in a diff against a base, against the
-- heatls binary, in a real headless Neovim. run.sh starts it as
--   nvim --headless -u NONE -i NONE -n --cmd 'set rtp^=<repo>/editors/neovim' -c 'luafile <this>'
-- with HEATLS_BIN (the server), HEATLS_TESTDATA (the repo's testdata) and
-- HEATLS_TMP (an empty scratch folder).
--
-- :HeatlsLoad merges two golden CPU profiles (bytes and strings), then
-- :HeatlsCompare sets the sort benchmark's profile as their base,
-- :HeatlsCompare! the same, normalized, and :HeatlsCompareClear removes it.
-- After each step the Go standard library files of FILES (the profiles name
-- them under Debian's GOROOT, /usr/lib/go-1.19/src) must show what
-- `heatls dump` says of the same inputs: the painted rows with the group
-- of each (HeatlsLevelN for a level N > 0, HeatlsImprovementN for -N), the
-- inlay hints' texts (built from the dump's values) and, in a diff, the
-- statusline with the net change of `heatls info`. Last, a base set through
-- the settings (workspace/didChangeConfiguration): the statusline, which no
-- command answer updates then, must follow the diff decorations. Prints one
-- line per check and "N passed, M failed"; exits with :cquit on any failure.
local h = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h') .. '/harness.lua')
local bin, testdata, scratch, uv = h.bin, h.testdata, h.scratch, h.uv
local ok, eq, has, notes, noted, wait = h.ok, h.eq, h.has, h.notes, h.noted, h.wait
local run_cli, fields, matches = h.run_cli, h.fields, h.matches

local golden = testdata .. '/golden/'
local profiles = { golden .. 'bytes/bytes.pb.gz', golden .. 'strings/strings.pb.gz' }
local base = golden .. 'sort/sort.pb.gz'
local GOROOT = '/usr/lib/go-1.19/src/'
-- Files with regressions and improvements in this diff.
local FILES = { 'runtime/proc.go', 'runtime/mstats.go', 'testing/benchmark.go' }

-- A level in a diff hint: G+3, G-2, G0.
local function signed(n)
  return n > 0 and ('+' .. n) or tostring(n)
end

-- What `heatls dump ARGS` says of FILES: {[file] = {[row] = {point, ...}}},
-- each point {g, l, group, hint} with the group and hint text it should show
-- in mode both. In a diff (dump with -base) a P line carries both sides and
-- the deltas: line flat cum baseFlat baseCum flatDelta cumDelta local global.
local function expectation(args)
  local rows = {}
  for _, f in ipairs(FILES) do
    rows[f] = {}
  end
  local file
  for _, line in ipairs(run_cli(vim.list_extend({ 'dump' }, args))) do
    local f = fields(line)
    if f[1] == 'F' then
      local path = vim.json.decode(f[6])
      file = path:sub(1, #GOROOT) == GOROOT and rows[path:sub(#GOROOT + 1)] and path:sub(#GOROOT + 1)
    elseif f[1] == 'P' and file then
      local row = tonumber(f[2]) - 1
      local p = {}
      if #f >= 10 then
        local cum, base_cum, delta = tonumber(f[4]), tonumber(f[6]), tonumber(f[8])
        p.l, p.g = tonumber(f[9]), tonumber(f[10])
        local own
        if base_cum == 0 then
          own = 'new'
        elseif cum == 0 then
          own = 'gone'
        else
          own = string.format('%+.1f%%', 100 * delta / base_cum)
        end
        if p.g ~= 0 or p.l ~= 0 then
          p.hint = string.format('G%s L%s · %+.2fs (%s)', signed(p.g), signed(p.l), delta / 1e6, own)
        end
      else
        local cum = tonumber(f[4])
        p.l, p.g = tonumber(f[5]), tonumber(f[6])
        if p.g > 0 or p.l > 0 then
          p.hint = string.format('G%d L%d · %.2fs', p.g, p.l, cum / 1e6)
        end
      end
      if p.g > 0 then
        p.group = 'HeatlsLevel' .. p.g
      elseif p.g < 0 then
        p.group = 'HeatlsImprovement' .. -p.g
      end
      rows[file][row] = rows[file][row] or {}
      table.insert(rows[file][row], p)
    end
  end
  return rows
end

local function count_groups(shown, prefix)
  local n = 0
  for _, group in pairs(shown) do
    if group:sub(1, #prefix) == prefix then
      n = n + 1
    end
  end
  return n
end

local function run()
  h.start()
  vim.cmd('cd ' .. vim.fn.fnameescape(scratch))
  local src = uv.fs_realpath(GOROOT)
  if not ok(src ~= nil, 'the profiles\' GOROOT is here: ' .. GOROOT) then
    return
  end

  vim.cmd('runtime! plugin/heatls.lua')
  for _, c in ipairs({ 'HeatlsCompare', 'HeatlsCompareClear' }) do
    ok(vim.fn.exists(':' .. c) == 2, ':' .. c .. ' is defined')
  end
  local heatls = require('heatls')
  heatls.setup({
    cmd = { bin, '--stdio' },
    root_dir = function()
      return src
    end,
  })

  -- The improvement groups: defined for dark and light backgrounds,
  -- apart from the heat groups.
  for _, background in ipairs({ 'light', 'dark' }) do
    vim.o.background = background
    vim.cmd('hi clear')
    vim.cmd('doautocmd ColorScheme')
    for i = 1, 5 do
      local improvement = vim.api.nvim_get_hl_by_name('HeatlsImprovement' .. i, true).background
      local heat = vim.api.nvim_get_hl_by_name('HeatlsLevel' .. i, true).background
      ok(improvement ~= nil and improvement ~= heat,
        string.format('HeatlsImprovement%d has a background of its own (%s)', i, background))
    end
  end

  local bufs = {}
  for _, f in ipairs(FILES) do
    vim.cmd('edit ' .. vim.fn.fnameescape(src .. '/' .. f))
    bufs[f] = vim.api.nvim_get_current_buf()
  end
  h.attached(bufs, 'heatls attached to the GOROOT files')

  -- Waits until each file shows want (expectation()) in paint and hints.
  local function check(want, diff, what)
    for _, f in ipairs(FILES) do
      local b = bufs[f]
      local good = wait(function()
        local painted, _, _, d = heatls.painted(b)
        return d == diff and (matches(painted, want[f], 'group'))
      end)
      local painted, mode, _, d = heatls.painted(b)
      local fits, why = matches(painted, want[f], 'group')
      ok(good and fits, string.format('%s, %s: painted rows and groups', what, f),
        (why or '') .. '\n' .. vim.inspect({ painted = painted, diff = d }))
      eq({ mode, d }, { 'both', diff }, string.format('%s, %s: mode both, diff %s', what, f, tostring(diff)))
      if has('0.10') then
        local groups = {}
        for _, mk in ipairs(vim.api.nvim_buf_get_extmarks(b, require('heatls.decorations').ns, 0, -1,
          { details = true })) do
          groups[mk[2]] = mk[4].line_hl_group
        end
        eq(groups, painted, string.format('%s, %s: the extmarks carry those groups', what, f))
        vim.api.nvim_set_current_buf(b)
      end
      local hints_ok = h.wait_drawn(function()
        return (matches(heatls.hints(b), want[f], 'hint'))
      end)
      local _, hwhy = matches(heatls.hints(b), want[f], 'hint')
      ok(hints_ok, string.format('%s, %s: inlay hint texts', what, f),
        (hwhy or '') .. '\n' .. vim.inspect(heatls.hints(b)))
    end
  end

  local function all_painted()
    local all = {}
    for _, f in ipairs(FILES) do
      for row, group in pairs((heatls.painted(bufs[f]))) do
        all[f .. ':' .. row] = group
      end
    end
    return all
  end

  -- The two profiles, merged.
  local n = #notes
  vim.cmd('HeatlsLoad ' .. vim.fn.fnameescape(profiles[1]) .. ' ' .. vim.fn.fnameescape(profiles[2]))
  if not ok(wait(function()
    return noted('loaded ', n) ~= nil
  end), ':HeatlsLoad of two profiles shows the summary', vim.inspect(vim.list_slice(notes, n + 1))) then
    return
  end
  local s = require('heatls.compare').summary(heatls.clients()[1].id)
  eq(s and s.paths, profiles, 'the summary names both profiles')
  local plain = expectation(profiles)
  for _, f in ipairs(FILES) do
    ok(next(plain[f]) ~= nil, 'heatls dump of the merge has points in ' .. f)
  end
  check(plain, false, 'merged')
  eq(heatls.statusline(bufs[FILES[1]]), 'heatls: bytes.pb.gz + strings.pb.gz',
    'the statusline names the merged profiles')

  -- Compared with the base.
  local function compare(cmd, extra, what)
    n = #notes
    vim.cmd(cmd .. ' ' .. vim.fn.fnameescape(base))
    if not ok(wait(function()
      return noted('compared ', n) ~= nil
    end), what .. ' shows the summary', vim.inspect(vim.list_slice(notes, n + 1))) then
      return false
    end
    local args = vim.list_extend(vim.deepcopy(profiles), { '-base', base })
    vim.list_extend(args, extra)
    local want = expectation(args)
    check(want, true, what)
    local all = all_painted()
    ok(count_groups(all, 'HeatlsLevel') > 0 and count_groups(all, 'HeatlsImprovement') > 0,
      what .. ': regressions and improvements are painted', vim.inspect(all))
    -- The net change as heatls info prints it: "+136.70s (+718.72% of the base)".
    local net
    for _, line in ipairs(run_cli(vim.list_extend({ 'info' }, args))) do
      local value, pct = line:match('^net change:%s+(%S+) %((%S+)%% of the base%)')
      if value then
        net = string.format('%s, %+.2f%%', value, tonumber(pct))
      end
    end
    eq(heatls.statusline(bufs[FILES[1]]),
      string.format('heatls: diff: bytes.pb.gz + strings.pb.gz vs sort.pb.gz (%s)', net),
      what .. ': the statusline shows the diff and its net change')
    local status = h.status()
    eq(status and { status.diff, status.base, status.normalize },
      { true, { base }, #extra > 0 }, what .. ': :HeatlsStatus reports the diff')
    return true
  end
  if not compare('HeatlsCompare', {}, ':HeatlsCompare') then
    return
  end
  compare('HeatlsCompare!', { '-normalize' }, ':HeatlsCompare!')

  -- The base removed: the merged heat is back.
  n = #notes
  vim.cmd('HeatlsCompareClear')
  ok(wait(function()
    return noted('base cleared', n) ~= nil
  end), ':HeatlsCompareClear says so')
  check(plain, false, 'after :HeatlsCompareClear')
  eq(count_groups(all_painted(), 'HeatlsImprovement'), 0, 'no improvement is painted any more')
  eq(heatls.statusline(bufs[FILES[1]]), 'heatls: bytes.pb.gz + strings.pb.gz',
    'the statusline shows no diff any more')

  -- A base set through the settings: no command answers with a summary, so
  -- the statusline follows the decorations (diff: true) by asking for one.
  local c = heatls.clients()[1]
  require('heatls.compat').notify(c, 'workspace/didChangeConfiguration',
    { settings = { heatls = { base = { base } } } })
  local want_status = 'heatls: diff: bytes.pb.gz + strings.pb.gz vs sort.pb.gz'
  ok(wait(function()
    return heatls.statusline(bufs[FILES[1]]):sub(1, #want_status) == want_status
  end), 'a base set in the settings shows in the statusline',
    heatls.statusline(bufs[FILES[1]]))
  ok(select(4, heatls.painted(bufs[FILES[1]])), 'a base set in the settings paints a diff')

  -- The help names the new commands and groups.
  local tags = assert(h.help_tags(), 'doc/heatls.txt is on the runtimepath')
  h.check_tags(tags, { ':HeatlsCompare', ':HeatlsCompareClear', 'HeatlsImprovement1', 'heatls-diff' })
end

h.finish(run)
