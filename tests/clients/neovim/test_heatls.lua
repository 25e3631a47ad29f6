-- The Neovim client (editors/neovim) against the heatls binary, in a real
-- headless Neovim. run.sh starts it as
--   nvim --headless -u NONE -i NONE -n --cmd 'set rtp^=<repo>/editors/neovim' -c 'luafile <this>'
-- with HEATLS_BIN (the server), HEATLS_TESTDATA (the repo's testdata) and
-- HEATLS_TMP (an empty scratch folder). The wordfreq sources are copied
-- into HEATLS_TMP, so their paths differ from the profile's
-- /home/ci/work/wordfreq; what each line should show is computed from
-- `heatls dump` of the same profile. Prints one line per check and
-- "N passed, M failed"; exits with :cquit on any failure.
--
-- Then a capture from a running service: HEATLS_PPROFSVC (the Go service of
-- testdata/programs/pprofsvc, built by the client_pprofsvc fixture) serves
-- net/http/pprof on 127.0.0.1; :HeatlsCapture takes 2 s of CPU from it with
-- progress, and the painted lines of its main.go (a copy in the workspace)
-- must be what heatls.hotspots says of that document for the same capture;
-- then :HeatlsStatus, :HeatlsReload and :HeatlsCancel.
local h = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h') .. '/harness.lua')
local bin, testdata, scratch, uv = h.bin, h.testdata, h.scratch, h.uv
local ok, eq, has, notes, notes_matching = h.ok, h.eq, h.has, h.notes, h.notes_matching
local pprofsvc = os.getenv('HEATLS_PPROFSVC')

local capture -- the capture part, defined below
h.timeout = 5000
local wait = h.wait

local files = { 'main.go', 'count.go', 'tokenize.go' }
local profile = testdata .. '/programs/wordfreq/cpu.pb.gz'

-- What heatls dump says: every point, and per wordfreq file the hottest
-- point of each line (0-based rows).
local function expectation()
  local dump = h.run_cli({ 'dump', profile })
  local points, rows = {}, {}
  for _, f in ipairs(files) do
    rows[f] = {}
  end
  local fn
  for _, line in ipairs(dump) do
    local f = h.fields(line)
    if f[1] == 'F' then
      local pkg, typ, name = vim.json.decode(f[2]), vim.json.decode(f[3]), vim.json.decode(f[4])
      fn = {
        base = vim.json.decode(f[5]),
        path = vim.json.decode(f[6]),
        display = pkg .. '.' .. (typ ~= '' and ('(' .. typ .. ').') or '') .. name,
      }
      if pkg == '' then
        fn.display = name
      end
    elseif f[1] == 'P' then
      local p = {
        base = fn.base, path = fn.path, func = fn.display,
        row = tonumber(f[2]) - 1, cum = tonumber(f[4]),
        l = tonumber(f[5]), g = tonumber(f[6]),
      }
      p.cumText = string.format('%.2fs', p.cum / 1e6)
      if p.row >= 0 then
        table.insert(points, p)
      end
      if rows[p.base] and p.path == '/home/ci/work/wordfreq/' .. p.base and p.row >= 0 then
        local old = rows[p.base][p.row]
        if not old or p.cum > old.cum then
          rows[p.base][p.row] = p
        end
      end
    end
  end
  return points, rows
end

local function level(p, mode)
  if mode == 'off' then
    return 0
  end
  return mode == 'local' and p.l or p.g
end

-- {[row] = group} for one file in mode.
local function want_paint(rows, mode)
  local out = {}
  for row, p in pairs(rows) do
    local lv = level(p, mode)
    if lv > 0 then
      out[row] = 'HeatlsLevel' .. lv
    end
  end
  return out
end

-- {[row] = label} for one file in mode.
local function want_hints(rows, mode)
  local out = {}
  for row, p in pairs(rows) do
    local label
    if mode == 'both' and (p.g > 0 or p.l > 0) then
      label = string.format('G%d L%d · %s', p.g, p.l, p.cumText)
    elseif mode == 'global' and p.g > 0 then
      label = string.format('G%d · %s', p.g, p.cumText)
    elseif mode == 'local' and p.l > 0 then
      label = string.format('L%d · %s', p.l, p.cumText)
    end
    out[row] = label
  end
  return out
end

-- Whether painted ({[row] = group}) is what best (h.hotspot_rows, the
-- server's index of the same capture) wants: the level of one of the
-- row's hottest points (any of them on a tie).
local function matches(painted, best)
  local want = {}
  for row, hs in pairs(best) do
    want[row] = {}
    for _, p in ipairs(hs) do
      table.insert(want[row], { group = p.global > 0 and ('HeatlsLevel' .. p.global) or nil })
    end
  end
  return h.matches(painted, want, 'group')
end

local function reports_since(n)
  local out = {}
  for i, r in ipairs(require('heatls').progress()) do
    if i > n then
      table.insert(out, r)
    end
  end
  return out
end

capture = function(dir)
  if not ok(pprofsvc and uv.fs_stat(pprofsvc) ~= nil, 'HEATLS_PPROFSVC is the built service',
    tostring(pprofsvc)) then
    return
  end
  local heatls = require('heatls')
  -- The service ends when its stdin closes (Neovim exits) or after -life.
  local job, port = h.start_service({ pprofsvc, '-life', '100s' }, 'pprofsvc listens on 127.0.0.1')
  if not port then
    return
  end
  local lsp_events = 0
  vim.api.nvim_create_autocmd(has('0.10') and 'LspProgress' or 'User', {
    pattern = has('0.10') and '*' or 'LspProgressUpdate',
    callback = function()
      lsp_events = lsp_events + 1
    end,
  })

  -- The service's main.go, where its profile's path is not.
  vim.fn.mkdir(dir .. '/pprofsvc', 'p')
  assert(uv.fs_copyfile(testdata .. '/programs/pprofsvc/main.go', dir .. '/pprofsvc/main.go'))
  vim.cmd('edit pprofsvc/main.go')
  local b = vim.api.nvim_get_current_buf()
  ok(wait(function()
    return #heatls.clients(b) == 1
  end), 'heatls attached to pprofsvc/main.go')
  local c = heatls.clients(b)[1]

  local source = string.format('live: 127.0.0.1:%d cpu 2s', port)
  local url = string.format('127.0.0.1:%d', port)
  local function captured(what, since_notes, since_reports, cmd)
    vim.cmd(cmd)
    ok(vim.wait(30000, function()
      for i = since_notes + 1, #notes do
        if notes[i].msg:find('loaded ' .. source, 1, true) then
          return true
        end
      end
      return false
    end, 20), what .. ': the summary names the source "' .. source .. '"')
    local reports = reports_since(since_reports)
    local token = reports[1] and reports[1].token
    local counted, ended = nil, nil
    for _, r in ipairs(reports) do
      if r.token == token and r.kind == 'report' and r.message
        and r.message:match('^capturing CPU profile: %d+ s of 2$') then
        counted = counted or r
      end
      if r.token == token and r.kind == 'end' then
        ended = r
      end
    end
    ok(reports[1] and reports[1].kind == 'begin' and reports[1].title == 'heatls: fetching profile',
      what .. ': progress begins', vim.inspect(reports[1]))
    ok(counted ~= nil, what .. ': progress counts the capture\'s seconds ("capturing CPU profile: N s of 2")',
      vim.inspect(reports))
    ok(ended ~= nil and ended.message == 'loaded', what .. ': progress ends "loaded"', vim.inspect(ended))
    ok(#notes_matching('heatls: fetching profile: capturing CPU profile: ') > 0,
      what .. ': the seconds are shown through vim.notify')
    -- The painted lines, against the server's hotspots of this document.
    local best, n = h.hotspot_rows(c, b)
    local good, why = false, nil
    vim.wait(5000, function()
      good, why = matches((heatls.painted(b)), best)
      return good
    end, 20)
    ok(n > 0 and next(best) ~= nil, what .. ': the capture has lines of main.go (' .. n .. ' points)')
    ok(good, what .. ': painted lines and levels are those of heatls.hotspots', (why or '') .. '\n'
      .. vim.inspect({ painted = heatls.painted(b), hotspots = best }))
    ok(select(2, heatls.painted(b)) == 'both', what .. ': painted in mode both')
  end

  local r0 = #heatls.progress()
  captured(':HeatlsCapture', #notes, r0, 'HeatlsCapture ' .. url .. ' 2')
  ok(lsp_events > 0, has('0.10') and 'Neovim\'s LspProgress autocommand saw the reports'
    or 'Neovim\'s LspProgressUpdate autocommand saw the reports', tostring(lsp_events))

  local status = h.status()
  ok(status ~= nil and status.path == source, ':HeatlsStatus names the source', vim.inspect(status))

  captured(':HeatlsReload', #notes, #heatls.progress(), 'HeatlsReload')

  -- :HeatlsCancel during a capture: it ends "cancelled", the profile stays.
  local before = #heatls.progress()
  vim.cmd('HeatlsCapture ' .. url .. '/debug/pprof/profile 5')
  ok(vim.wait(10000, function()
    for _, r in ipairs(reports_since(before)) do
      if r.kind == 'report' then
        return true
      end
    end
    return false
  end, 20), 'a 5 s capture reports progress')
  vim.cmd('HeatlsCancel')
  local ended
  ok(vim.wait(5000, function()
    for _, r in ipairs(reports_since(before)) do
      if r.kind == 'end' then
        ended = r
      end
    end
    return ended ~= nil
  end, 20), ':HeatlsCancel ends the capture\'s progress', vim.inspect(ended))
  ok(wait(function()
    return #notes_matching('cancelled; the previous profile stays') == 1
  end), ':HeatlsCancel: the capture is answered cancelled, and says so',
    vim.inspect(vim.list_slice(notes, #notes - 4)))
  status = h.status()
  ok(status ~= nil and status.path == source, 'after the cancel the previous capture stays',
    vim.inspect(status))

  -- :HeatlsCapture! repeats: rounds on tokens the server makes, until
  -- :HeatlsCancel. Go stops the cancelled capture's profiling when it
  -- notices the closed connection: until then a new CPU capture gets
  -- "cpu profiling already in use", which would end the repetition.
  vim.wait(1500)
  before = #heatls.progress()
  vim.cmd('HeatlsCapture! ' .. url .. ' 1')
  local function rounds()
    local tokens, n = {}, 0
    for _, r in ipairs(reports_since(before)) do
      if r.kind == 'end' and r.message == 'loaded' and not tokens[r.token] then
        tokens[r.token] = true
        n = n + 1
      end
    end
    return n
  end
  ok(vim.wait(30000, function()
    return rounds() >= 3
  end, 20), ':HeatlsCapture! captures again and again (3 rounds, each with its progress)',
    tostring(rounds()) .. ' rounds\n' .. vim.inspect(reports_since(before))
      .. '\n' .. vim.inspect(vim.list_slice(notes, math.max(1, #notes - 5))))
  vim.cmd('HeatlsCancel')
  vim.wait(300)
  local stopped = rounds()
  vim.wait(2500)
  eq(rounds(), stopped, ':HeatlsCancel ends the repetition')
  vim.fn.jobstop(job)
end

local function run()
  h.start()
  local dir = scratch .. '/wordfreq'
  vim.fn.mkdir(dir, 'p')
  dir = uv.fs_realpath(dir)
  h.copy(testdata .. '/programs/wordfreq', { 'main.go', 'count.go', 'tokenize.go', 'go.mod' }, dir)
  vim.cmd('cd ' .. vim.fn.fnameescape(dir))
  local points, rows = expectation()
  for _, f in ipairs(files) do
    ok(next(rows[f]) ~= nil, 'heatls dump has points for ' .. f)
  end

  -- The plugin file defines the commands; nothing runs before setup().
  vim.cmd('runtime! plugin/heatls.lua')
  for _, c in ipairs({ 'HeatlsLoad', 'HeatlsClear', 'HeatlsHotspots', 'HeatlsToggle' }) do
    ok(vim.fn.exists(':' .. c) == 2, ':' .. c .. ' is defined')
  end
  vim.cmd('HeatlsClear')
  ok(#notes_matching('setup() first', vim.log.levels.ERROR) == 1,
    'a command before setup() says to call setup()')

  -- Two files open before setup(), one after.
  local bufs = {}
  vim.cmd('edit main.go')
  bufs['main.go'] = vim.api.nvim_get_current_buf()
  vim.cmd('edit count.go')
  bufs['count.go'] = vim.api.nvim_get_current_buf()
  local heatls = require('heatls')
  heatls.setup({ cmd = { bin, '--stdio' } })
  vim.cmd('edit tokenize.go')
  bufs['tokenize.go'] = vim.api.nvim_get_current_buf()

  -- Highlight groups: defined, overridable, restored by :colorscheme.
  for i = 1, 5 do
    local hl = vim.api.nvim_get_hl_by_name('HeatlsLevel' .. i, true)
    ok(hl.background ~= nil, 'HeatlsLevel' .. i .. ' has a background')
  end
  ok(vim.fn.execute('highlight HeatlsHint'):find('links to Comment', 1, true) ~= nil,
    'HeatlsHint links to Comment')
  local ours = vim.api.nvim_get_hl_by_name('HeatlsLevel3', true).background
  vim.cmd('highlight HeatlsLevel3 guibg=#123456')
  vim.cmd('doautocmd ColorScheme')
  eq(vim.api.nvim_get_hl_by_name('HeatlsLevel3', true).background, 0x123456,
    'a user colour for HeatlsLevel3 survives the plugin (default = true)')
  vim.cmd('colorscheme default')
  eq(vim.api.nvim_get_hl_by_name('HeatlsLevel3', true).background, ours,
    ':colorscheme defines HeatlsLevel3 again')

  h.attached(bufs, 'heatls attached to the three buffers')
  eq(#heatls.clients(), 1, 'one heatls client')

  local decorations = require('heatls.decorations')
  local hints_ns = require('heatls.hints').ns

  local function marks(b, ns)
    return vim.api.nvim_buf_get_extmarks(b, ns, 0, -1, { details = true })
  end

  -- Waits until every file is painted in mode as heatls dump says, then
  -- checks the extmarks themselves.
  local function check_paint(mode, what)
    local done = wait(function()
      for _, f in ipairs(files) do
        local painted, m = heatls.painted(bufs[f])
        if m ~= mode or not vim.deep_equal(painted, want_paint(rows[f], mode)) then
          return false
        end
      end
      return true
    end)
    ok(done, what .. ': decorations arrived in mode ' .. mode)
    for _, f in ipairs(files) do
      local b = bufs[f]
      local want = want_paint(rows[f], mode)
      local painted, m = heatls.painted(b)
      eq(painted, want, string.format('%s, %s: painted lines (mode %s)', what, f, tostring(m)))
      local got_rows, want_rows, groups = {}, {}, {}
      for _, mk in ipairs(marks(b, decorations.ns)) do
        table.insert(got_rows, mk[2])
        if mk[4] and mk[4].line_hl_group then
          groups[mk[2]] = mk[4].line_hl_group
        end
      end
      for row in pairs(want) do
        table.insert(want_rows, row)
      end
      table.sort(want_rows)
      eq(got_rows, want_rows, string.format('%s, %s: extmark rows', what, f))
      if has('0.10') then
        eq(groups, want, string.format('%s, %s: extmark line_hl_group', what, f))
      end
    end
  end

  -- Waits until every file shows mode's hints. Built-in hints (0.10+) are
  -- requested for buffers in a window, so each file is shown in turn.
  local function check_hints(mode, what)
    for _, f in ipairs(files) do
      local b = bufs[f]
      local want = want_hints(rows[f], mode)
      if has('0.10') then
        vim.api.nvim_set_current_buf(b)
      end
      local done = h.wait_drawn(function()
        return vim.deep_equal(heatls.hints(b), want)
      end)
      eq(heatls.hints(b), want, string.format('%s, %s: inlay hints (mode %s)', what, f, mode))
      if not done then
        -- eq reported it
      elseif not has('0.10') then
        local texts = {}
        for _, mk in ipairs(marks(b, hints_ns)) do
          local vt = mk[4].virt_text or {}
          texts[mk[2]] = vt[1] and vt[1][1]
          if vt[1] and vt[1][2] ~= 'HeatlsHint' then
            texts[mk[2]] = 'wrong group ' .. tostring(vt[1][2])
          end
        end
        eq(texts, want, string.format('%s, %s: hint virtual text in HeatlsHint', what, f))
      end
    end
  end

  -- :HeatlsLoad
  vim.cmd('HeatlsLoad ' .. vim.fn.fnameescape(profile))
  ok(wait(function()
    return #notes_matching('loaded ') > 0
  end), ':HeatlsLoad shows the summary')
  local summary = notes_matching('loaded ')[1]
  if summary then
    ok(summary.msg:find('cpu.pb.gz', 1, true) and summary.msg:find('3 open documents', 1, true),
      'the summary names the profile and 3 open documents', summary.msg)
  end
  check_paint('both', 'after load')
  check_hints('both', 'after load')

  -- An edit above hot lines moves them; the server re-sends decorations.
  local cb = bufs['count.go']
  vim.api.nvim_set_current_buf(cb)
  vim.api.nvim_buf_set_lines(cb, 0, 0, false, { '// a new first line' })
  local shifted, shifted_hints = {}, {}
  for row, g in pairs(want_paint(rows['count.go'], 'both')) do
    shifted[row + 1] = g
  end
  for row, h in pairs(want_hints(rows['count.go'], 'both')) do
    shifted_hints[row + 1] = h
  end
  ok(wait(function()
    return vim.deep_equal(heatls.painted(cb), shifted)
      and vim.deep_equal(heatls.hints(cb), shifted_hints)
  end), 'an inserted line moves the heat and the hints down')
  eq((heatls.painted(cb)), shifted, 'count.go after an edit: painted lines')
  eq(select(3, heatls.painted(cb)), vim.lsp.util.buf_versions[cb],
    'count.go after an edit: the decorations carry the document version')
  eq(heatls.hints(cb), shifted_hints, 'count.go after an edit: inlay hints')
  vim.api.nvim_buf_set_lines(cb, 0, 1, false, {})
  check_paint('both', 'after undoing the edit')

  -- A load that fails: one error message, the profile stays painted.
  local before = #notes
  vim.cmd('HeatlsLoad /nonexistent/missing.pb.gz')
  ok(wait(function()
    return #notes_matching('missing.pb.gz', vim.log.levels.ERROR) > 0
  end), 'a failed :HeatlsLoad shows an error naming the file')
  vim.wait(300)
  eq(#notes_matching('missing.pb.gz', vim.log.levels.ERROR), 1, 'the error is shown once')
  ok(#notes > before, 'notifications went through vim.notify')
  check_paint('both', 'after a failed load')

  -- :HeatlsToggle: both -> global -> local -> off -> both.
  for _, mode in ipairs({ 'global', 'local', 'off', 'both' }) do
    vim.cmd('HeatlsToggle')
    check_paint(mode, ':HeatlsToggle to ' .. mode)
    check_hints(mode, ':HeatlsToggle to ' .. mode)
  end

  -- :HeatlsHotspots
  vim.fn.setqflist({}, ' ', { title = 'empty', items = {} })
  local function qf_after(cmd)
    vim.fn.setqflist({}, ' ', { title = 'empty', items = {} })
    vim.cmd(cmd)
    wait(function()
      return vim.fn.getqflist({ title = 0 }).title == 'heatls hotspots'
    end)
    return vim.fn.getqflist()
  end
  local by_key = {}
  local wordfreq_points = 0
  for _, p in ipairs(points) do
    local local_file = p.path == '/home/ci/work/wordfreq/' .. p.base and rows[p.base]
    -- Neovim names a buffer by the file's real path (Debian's
    -- /usr/lib/go-1.19/src is a link to /usr/share/go-1.19/src).
    local file = local_file and (dir .. '/' .. p.base) or (uv.fs_realpath(p.path) or p.path)
    by_key[file .. ':' .. (p.row + 1)] = string.format('G%d L%d %s %s', p.g, p.l, p.cumText, p.func)
    if local_file then
      wordfreq_points = wordfreq_points + 1
    end
  end
  local function check_qf(items, what)
    local bad, wordfreq = {}, 0
    for _, it in ipairs(items) do
      local name = vim.api.nvim_buf_get_name(it.bufnr)
      name = uv.fs_realpath(name) or name
      local key = name .. ':' .. it.lnum
      if by_key[key] ~= it.text then
        table.insert(bad, string.format('%s %q (want %q)', key, it.text, tostring(by_key[key])))
      end
      if name:sub(1, #dir + 1) == dir .. '/' then
        wordfreq = wordfreq + 1
      end
    end
    eq(bad, {}, what .. ': each entry is a profile point at its local file and line')
    return wordfreq
  end
  local items = qf_after('HeatlsHotspots')
  eq(#items, math.min(50, #points), ':HeatlsHotspots lists the 50 hottest points')
  ok(vim.fn.getqflist({ winid = 0 }).winid ~= 0, ':HeatlsHotspots opens the quickfix window')
  local wf = check_qf(items, ':HeatlsHotspots')
  ok(wf > 0, ':HeatlsHotspots names wordfreq files by their temp-dir paths', tostring(wf))
  -- Global rank order: cum descending, then line descending.
  local ranked = vim.deepcopy(points)
  table.sort(ranked, function(a, b)
    if a.cum ~= b.cum then
      return a.cum > b.cum
    end
    return a.row > b.row
  end)
  eq(items[1] and items[1].text, string.format('G%d L%d %s %s', ranked[1].g, ranked[1].l,
    ranked[1].cumText, ranked[1].func), 'the first entry is the hottest point')
  items = qf_after('HeatlsHotspots 10000')
  eq(#items, #points, ':HeatlsHotspots 10000 lists every point')
  eq(check_qf(items, ':HeatlsHotspots 10000'), wordfreq_points,
    ':HeatlsHotspots 10000 lists every wordfreq point in the temp dir')
  vim.cmd('cclose')

  -- :HeatlsClear removes every extmark.
  vim.cmd('HeatlsClear')
  for _, f in ipairs(files) do
    local b = bufs[f]
    if has('0.10') then
      vim.api.nvim_set_current_buf(b)
    end
    local done = h.wait_drawn(function()
      return #marks(b, decorations.ns) == 0 and #marks(b, hints_ns) == 0
        and next((heatls.painted(b))) == nil and next(heatls.hints(b)) == nil
    end)
    ok(done, ':HeatlsClear removes the extmarks of ' .. f,
      vim.inspect({ decorations = marks(b, decorations.ns), hints = heatls.hints(b) }))
  end
  ok(#notes_matching('profile cleared') == 1, ':HeatlsClear says so')

  capture(dir)

  -- :help heatls: the tags file builds.
  local tags = h.help_tags()
  ok(tags ~= nil, 'doc/heatls.txt is on the runtimepath')
  if tags then
    h.check_tags(tags, { 'heatls', 'heatls.txt', ':HeatlsLoad', ':HeatlsToggle', 'HeatlsLevel1',
      'HeatlsHint', ':HeatlsCapture', ':HeatlsReload', ':HeatlsCancel' })
  end
end

h.finish(run, function()
  local warnings = {}
  for _, n in ipairs(notes) do
    if n.msg:lower():find('deprecat') then
      table.insert(warnings, n.msg)
    end
  end
  eq(warnings, {}, 'no deprecation warnings')
end)
