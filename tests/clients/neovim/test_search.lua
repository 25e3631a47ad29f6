-- :HeatlsSearch and hot-path diagnostics of the Neovim client against the
-- heatls binary, in a real headless Neovim, run by run.sh as test_heatls.lua
-- is (HEATLS_BIN, HEATLS_TESTDATA, HEATLS_TMP). The workspace is a copy of
-- testdata/programs/hoterr (whose CPU profile makes a constant fmt.Errorf,
-- an errors.New return and a fmt.Sprint hot) with two of wordfreq's sources in a
-- subfolder. Each search's quickfix list must be what `heatls search
-- --format json` finds in the same folder with the same profile; the
-- diagnostics must be the built-in rules' matches that the CLI finds hot,
-- follow an edit, and go with the profile. Prints the delay from the edit
-- to the diagnostics that follow it ("# diagnostics after an edit: N ms").
local h = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h') .. '/harness.lua')
local bin, testdata, scratch, uv = h.bin, h.testdata, h.scratch, h.uv
local ok, eq, say, notes, wait = h.ok, h.eq, h.say, h.notes, h.wait

local profile = testdata .. '/programs/hoterr/cpu.pb.gz'

local function first_line(text)
  return (text:match('^[^\n]*'):gsub('^[ \t]+', ''):gsub('[ \t\r]+$', ''))
end

-- What the CLI finds: quickfix-shaped rows {filename, lnum, col, text},
-- sorted. args are the CLI's flags before PROFILE PATTERN.
local function oracle(dir, args, pattern, path)
  local cmd = { bin, 'search', '--format', 'json' }
  vim.list_extend(cmd, args)
  vim.list_extend(cmd, { profile, pattern, path or dir })
  local out = vim.fn.system(cmd)
  assert(vim.v.shell_error <= 1, 'heatls search failed: ' .. out)
  local rows = {}
  for _, m in ipairs(vim.json.decode(out)) do
    local file = m.file:sub(1, 1) == '/' and m.file or (dir .. '/' .. m.file)
    local text = table.concat(vim.fn.readfile(file, 'b'), '\n')
    local line_start = m.start
    while line_start > 0 and text:sub(line_start, line_start) ~= '\n' do
      line_start = line_start - 1
    end
    local heat = ''
    if type(m.heat) == 'table' then
      heat = string.format('G%d L%d %s  ', m.heat.global, m.heat['local'], m.heat.cumText)
    end
    table.insert(rows, {
      filename = file, lnum = m.line, col = m.start - line_start + 1,
      text = heat .. first_line(m.text),
    })
  end
  return rows
end

local function sorted(rows)
  table.sort(rows, function(a, b)
    if a.filename ~= b.filename then
      return a.filename < b.filename
    end
    if a.lnum ~= b.lnum then
      return a.lnum < b.lnum
    end
    return a.col < b.col
  end)
  return rows
end

local function quickfix()
  local rows = {}
  for _, e in ipairs(vim.fn.getqflist()) do
    table.insert(rows, {
      filename = vim.fn.fnamemodify(vim.fn.bufname(e.bufnr), ':p'),
      lnum = e.lnum, col = e.col, text = e.text,
    })
  end
  return sorted(rows)
end

-- Runs :HeatlsSearch ARGS and waits for its answer (the quickfix title).
local function search(args)
  vim.fn.setqflist({}, 'r', { title = 'none', items = {} })
  local before = #notes
  vim.cmd('HeatlsSearch ' .. args)
  local done = wait(function()
    if vim.fn.getqflist({ title = 1 }).title ~= 'none' then
      return true
    end
    for i = before + 1, #notes do
      if notes[i].level == vim.log.levels.ERROR then
        return true
      end
    end
    return false
  end)
  return done
end

local function lsp_code(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end

-- heatls's diagnostics of bufnr as {lnum (0-based), code, message}.
local function diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out, { lnum = d.lnum, code = lsp_code(d), source = d.source, message = d.message })
  end
  table.sort(out, function(a, b)
    return a.lnum < b.lnum
  end)
  return out
end

-- The built-in rules that fire in hoterr/main.go, with the pattern the CLI
-- checks each with (docs/diagnostics.md).
local rules = {
  { code = 'go-errors-new-return', pattern = 'return $*_, errors.New($s)' },
  { code = 'go-errorf-constant', pattern = 'fmt.Errorf($s)' },
  { code = 'go-sprint-one', pattern = 'fmt.Sprint($x)' },
}

local function run()
  h.start()
  local dir = scratch .. '/hoterr'
  vim.fn.mkdir(dir .. '/wordfreq', 'p')
  dir = uv.fs_realpath(dir)
  h.copy(testdata .. '/programs/hoterr', { 'main.go', 'go.mod' }, dir)
  -- Not wordfreq's main.go: the CLI would map it onto the profile's
  -- main.go by its base name, while the server maps that to hoterr's only.
  h.copy(testdata .. '/programs/wordfreq', { 'count.go', 'tokenize.go' }, dir .. '/wordfreq')
  vim.cmd('cd ' .. vim.fn.fnameescape(dir))

  vim.cmd('runtime! plugin/heatls.lua')
  vim.cmd('runtime! plugin/heatls_search.lua')
  ok(vim.fn.exists(':HeatlsSearch') == 2, ':HeatlsSearch is defined')
  ok(vim.fn.exists(':HeatlsSearchCancel') == 2, ':HeatlsSearchCancel is defined')

  -- Flags.
  local search_mod = require('heatls.search')
  local o = search_mod.parse('-regex -all -buffer -- -x  y')
  eq(o and { o.kind, o.min_level, o.scope, o.pattern }, { 'regex', 0, 'buffer', '-x  y' },
    'flags, then the pattern with its spaces')
  o = search_mod.parse('-query -level=3 -local -hot=call (call_expression) @call')
  eq(o and { o.kind, o.min_level, o['local'], o.hot, o.pattern },
    { 'query', 3, true, 'call', '(call_expression) @call' }, 'query flags')
  local none, why = search_mod.parse('-bogus x')
  ok(none == nil and why:find('unknown flag %-bogus') ~= nil, 'an unknown flag is refused', why)

  local heatls = require('heatls')
  heatls.setup({ cmd = { bin, '--stdio' } })
  vim.cmd('edit main.go')
  local b = vim.api.nvim_get_current_buf()
  ok(wait(function()
    return #heatls.clients(b) == 1
  end), 'heatls attached to main.go')

  -- Before a profile: a hot search fails with the server's message.
  local before = #notes
  search('fmt.Errorf($_)')
  local errs = {}
  for i = before + 1, #notes do
    if notes[i].level == vim.log.levels.ERROR then
      table.insert(errs, notes[i].msg)
    end
  end
  ok(#errs == 1 and errs[1]:find('no profile is loaded', 1, true) ~= nil,
    'a hot search without a profile says why', vim.inspect(errs))

  -- Diagnostics arrive with the profile; record when each publish comes.
  local published = {}
  local default = vim.lsp.handlers['textDocument/publishDiagnostics']
  vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
    table.insert(published, { time = uv.hrtime(), count = #(result and result.diagnostics or {}) })
    return default(err, result, ctx, config)
  end
  local loaded
  heatls.load(profile, function(err)
    loaded = err == nil
  end)
  ok(wait(function()
    return loaded ~= nil
  end) and loaded, 'profile loaded')

  -- (a) Searches against the CLI.
  local cases = {
    { args = 'fmt.$f($*_)', cli = {}, name = 'a hot code pattern' },
    { args = '-all append($*_)', cli = { '--min-level', '0' }, name = '-all: every match, with its heat' },
    { args = '-level=5 $*_ := $_', cli = { '--min-level', '5' }, name = '-level=5' },
    { args = '-regex return .*err', cli = { '--regex' }, name = '-regex' },
    { args = '-query ((call_expression function: (selector_expression field: (field_identifier) @f)) @c (#match? @f "^(Errorf|New|Sprint)$"))',
      cli = { '--query' }, name = '-query with a predicate' },
    { args = '-cold -lang=go if $_ { $*_ }', cli = { '--cold', '--lang', 'go' }, name = '-cold -lang=go' },
  }
  for _, case in ipairs(cases) do
    local pattern = search_mod.parse(case.args).pattern
    local want = sorted(oracle(dir, case.cli, pattern))
    ok(search(case.args), ':HeatlsSearch ' .. case.args .. ' answers')
    ok(#want > 0, case.name .. ': the CLI finds something')
    eq(quickfix(), want, case.name .. ': the quickfix list is what the CLI finds')
  end
  ok(vim.fn.getqflist({ title = 1 }).title:find('heatls search', 1, true) == 1, 'the quickfix title')
  local qfwin = false
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    qfwin = qfwin or vim.fn.getwininfo(w)[1].quickfix == 1
  end
  ok(qfwin, 'the quickfix window is open')
  vim.cmd('cclose')
  vim.cmd('buffer ' .. b)

  -- -buffer: the current buffer only, as edited (an unsaved line added).
  local on_disk = oracle(dir, { '--min-level', '0' }, 'append($*_)', dir .. '/main.go')
  vim.api.nvim_buf_set_lines(b, -1, -1, false, { 'var _ = append([]int{}, 1)' })
  table.insert(on_disk, { filename = dir .. '/main.go', lnum = vim.api.nvim_buf_line_count(b), col = 9,
    text = 'append([]int{}, 1)' })
  ok(search('-all -buffer append($*_)'), ':HeatlsSearch -buffer answers')
  eq(quickfix(), sorted(on_disk), '-buffer: main.go as edited (its unsaved line too), nothing of wordfreq/')
  vim.api.nvim_buf_set_lines(b, -2, -1, false, {})

  -- (b) The diagnostics: the built-in rules' hot matches, by the CLI.
  local want = {}
  for _, r in ipairs(rules) do
    for _, m in ipairs(vim.json.decode(vim.fn.system({ bin, 'search', '--format', 'json', '--min-level', '3',
      profile, r.pattern, dir .. '/main.go' }))) do
      table.insert(want, { lnum = m.line - 1, code = r.code, source = 'heatls',
        time = string.format('(%s, G%d)', m.heat.cumText, m.heat.global) })
    end
  end
  table.sort(want, function(x, y)
    return x.lnum < y.lnum
  end)
  ok(#want == 3, 'the CLI finds the three rules hot in hoterr/main.go', vim.inspect(want))
  ok(wait(function()
    return #diagnostics(b) == #want
  end), 'the diagnostics arrive')
  local got = {}
  for i, d in ipairs(diagnostics(b)) do
    local w = want[i] or {}
    got[i] = { lnum = d.lnum, code = d.code, source = d.source,
      time = w.time and d.message:find(w.time, 1, true) and w.time or d.message }
  end
  eq(got, want, 'vim.diagnostic.get: source heatls, the rule as code, the line\'s time in the message')

  -- An edit that removes the constant fmt.Errorf: its diagnostic goes once
  -- the edits pause (300 ms), the others stay.
  local errorf
  for _, w in ipairs(want) do
    if w.code == 'go-errorf-constant' then
      errorf = w.lnum
    end
  end
  local line = vim.api.nvim_buf_get_lines(b, errorf, errorf + 1, false)[1]
  local edited_at = uv.hrtime()
  local mark = #published
  vim.api.nvim_buf_set_lines(b, errorf, errorf + 1, false,
    { (line:gsub('fmt%.Errorf%b()', 'errEmpty')) })
  ok(vim.wait(h.timeout, function()
    return #diagnostics(b) == #want - 1
  end, 5), 'the edit removes the fmt.Errorf diagnostic')
  local left = {}
  for _, d in ipairs(diagnostics(b)) do
    table.insert(left, d.code)
  end
  eq(left, { 'go-errors-new-return', 'go-sprint-one' }, 'the other two stay')
  if published[mark + 1] then
    say('# diagnostics after an edit: %d ms (debounce 300 ms)',
      math.floor((published[mark + 1].time - edited_at) / 1e6))
  end

  -- Cleared: none left.
  local cleared
  heatls.clear(function(err)
    cleared = err == nil
  end)
  ok(wait(function()
    return cleared ~= nil and #diagnostics(b) == 0
  end), 'no diagnostics after the profile is cleared')
end

h.finish(run)
