-- What the Neovim client tests share (test_heatls.lua, test_diff.lua,
-- test_pyroscope.lua, test_search.lua). Each loads it with
--   local h = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h') .. '/harness.lua')
-- and gets: the environment run.sh sets (h.bin, h.testdata, h.scratch),
-- the checks (h.ok, h.eq, counted), vim.notify recorded into h.notes,
-- waits, the steps every test takes (the server attached, a service on
-- 127.0.0.1, heatls.status, the help tags) and h.finish, which runs the
-- test, prints "N passed, M failed" and exits with :cquit on any failure.
local h = {}

h.bin = os.getenv('HEATLS_BIN')
h.testdata = os.getenv('HEATLS_TESTDATA')
h.scratch = os.getenv('HEATLS_TMP')
h.uv = vim.uv or vim.loop
-- How long h.wait waits by default, in ms (a test may change it).
h.timeout = 10000

local passed, failed = 0, 0

function h.say(fmt, ...)
  io.stdout:write(string.format(fmt, ...) .. '\n')
end

--- One check: prints "ok - name" or "FAIL - name" and detail; returns cond.
function h.ok(cond, name, detail)
  if cond then
    passed = passed + 1
    h.say('ok - %s', name)
  else
    failed = failed + 1
    h.say('FAIL - %s%s', name, detail and ('\n    ' .. detail:gsub('\n', '\n    ')) or '')
  end
  return cond
end

function h.eq(got, want, name)
  return h.ok(vim.deep_equal(got, want), name,
    'got:  ' .. vim.inspect(got) .. '\nwant: ' .. vim.inspect(want))
end

function h.has(v)
  return vim.fn.has('nvim-' .. v) == 1
end

--- Waits up to timeout ms (default h.timeout) for cond, polling every 20 ms.
function h.wait(cond, timeout)
  return vim.wait(timeout or h.timeout, cond, 20)
end

-- Messages shown through vim.notify, newest last: {msg, level}.
h.notes = {}
vim.notify = function(msg, level)
  table.insert(h.notes, { msg = msg, level = level or vim.log.levels.INFO })
end

--- The notes that contain pattern (plain text), of level when given.
function h.notes_matching(pattern, level)
  local out = {}
  for _, n in ipairs(h.notes) do
    if n.msg:find(pattern, 1, true) and (not level or n.level == level) then
      table.insert(out, n)
    end
  end
  return out
end

--- The first note after the first since (default 0) containing pattern, or nil.
function h.noted(pattern, since)
  for i = (since or 0) + 1, #h.notes do
    if h.notes[i].msg:find(pattern, 1, true) then
      return h.notes[i]
    end
  end
  return nil
end

--- The lines `heatls ARGS` prints (args: a list); a failure stops the test.
function h.run_cli(args)
  local cmd = { h.bin }
  vim.list_extend(cmd, args)
  local out = vim.fn.systemlist(cmd)
  assert(vim.v.shell_error == 0, table.concat(cmd, ' ') .. ' failed: ' .. table.concat(out, '\n'))
  return out
end

--- The tab-separated fields of a line of `heatls dump`.
function h.fields(line)
  local out = {}
  for f in line:gmatch('[^\t]+') do
    table.insert(out, f)
  end
  return out
end

--- Prints the Neovim version and checks that run.sh set the environment.
function h.start()
  local v = vim.version()
  h.say('# Neovim %d.%d.%d', v.major, v.minor, v.patch)
  assert(h.bin and h.testdata and h.scratch, 'HEATLS_BIN, HEATLS_TESTDATA and HEATLS_TMP must be set')
end

--- Copies the files names of folder from into folder to (which exists).
function h.copy(from, names, to)
  for _, f in ipairs(names) do
    assert(h.uv.fs_copyfile(from .. '/' .. f, to .. '/' .. f))
  end
end

--- Checks that heatls attached to every buffer of bufs (a list or a map),
--- as what.
function h.attached(bufs, what, timeout)
  local heatls = require('heatls')
  return h.ok(h.wait(function()
    for _, b in pairs(bufs) do
      if #heatls.clients(b) == 0 then
        return false
      end
    end
    return true
  end, timeout), what)
end

--- Starts a service of testdata/programs (cmd: its path and arguments),
--- which prints "port N" once it listens; checks that it does, as what.
--- Returns the job and the port (nil when it did not start).
function h.start_service(cmd, what)
  local port
  local job = vim.fn.jobstart(cmd, {
    on_stdout = function(_, data)
      for _, line in ipairs(data) do
        port = port or tonumber(line:match('^port (%d+)'))
      end
    end,
  })
  if not h.ok(job > 0 and h.wait(function()
    return port ~= nil
  end, 10000), what) then
    return job, nil
  end
  return job, port
end

--- workspace/executeCommand, synchronously (0.11+ prefers the method form).
function h.execute_sync(c, command, arguments, bufnr)
  local params = { command = command, arguments = arguments }
  local r
  if h.has('0.11') then
    r = c:request_sync('workspace/executeCommand', params, 10000, bufnr)
  else
    r = c.request_sync('workspace/executeCommand', params, 10000, bufnr)
  end
  assert(r and not r.err, command .. ' failed: ' .. vim.inspect(r))
  return r.result
end

--- h.wait, drawing the screen before each try on 0.10+, where Neovim
--- asks for the inlay hints of a buffer when it draws its window.
function h.wait_drawn(cond, timeout)
  return h.wait(function()
    if h.has('0.10') then
      vim.cmd('redraw!')
    end
    return cond()
  end, timeout)
end

--- heatls.hotspots of buffer b by row: {[row] = {hotspot, ...}}, the
--- hotspots of the row's largest cum (the first first), and how many
--- hotspots the server gave.
function h.hotspot_rows(c, b)
  local list = h.execute_sync(c, 'heatls.hotspots',
    { { limit = 10000, scope = 'file', uri = vim.uri_from_bufnr(b) } }, b)
  local best = {}
  for _, hs in ipairs(list) do
    local old = best[hs.line]
    if not old or hs.cum > old[1].cum then
      best[hs.line] = { hs }
    elseif hs.cum == old[1].cum then
      table.insert(old, hs)
    end
  end
  return best, #list
end

--- Whether shown ({[row] = text}) is what the points of want allow for key
--- ('group' or 'hint'): a row shows the value of one of its points (several
--- functions can share a line; the server shows one of them), and a row
--- shows nothing only when one of its points has nothing.
function h.matches(shown, want, key)
  for row, value in pairs(shown) do
    local fits = false
    for _, p in ipairs(want[row] or {}) do
      fits = fits or p[key] == value
    end
    if not fits then
      return false, string.format('row %d shows %q', row, value)
    end
  end
  for row, points in pairs(want) do
    if shown[row] == nil then
      local fits = false
      for _, p in ipairs(points) do
        fits = fits or p[key] == nil
      end
      if not fits then
        return false, string.format('row %d shows nothing, wants %q', row, tostring(points[1][key]))
      end
    end
  end
  return true
end

--- The answer of heatls.status() (nil when none came within timeout).
function h.status(timeout)
  local status
  require('heatls').status(function(_, s)
    status = s
  end)
  h.wait(function()
    return status ~= nil
  end, timeout)
  return status
end

--- The tags file of the client's doc/heatls.txt, built in the scratch
--- folder, starting with a newline (nil when the help is not on the
--- runtimepath).
function h.help_tags()
  local doc = vim.api.nvim_get_runtime_file('doc/heatls.txt', false)[1]
  if not doc then
    return nil
  end
  local docdir = h.scratch .. '/doc'
  vim.fn.mkdir(docdir, 'p')
  assert(h.uv.fs_copyfile(doc, docdir .. '/heatls.txt'))
  vim.cmd('helptags ' .. vim.fn.fnameescape(docdir))
  return '\n' .. table.concat(vim.fn.readfile(docdir .. '/tags'), '\n')
end

--- Checks that tags (h.help_tags) has each of names.
function h.check_tags(tags, names)
  for _, tag in ipairs(names) do
    h.ok(tags:find('\n' .. vim.pesc(tag) .. '\t') ~= nil, 'help tag ' .. tag)
  end
end

--- Runs run, then on_success (more checks) when it did not stop; a stop
--- counts as a failure. Prints the counts and exits Neovim, with :cquit 1
--- on any failure.
function h.finish(run, on_success)
  local okrun, err = xpcall(run, debug.traceback)
  if okrun and on_success then
    on_success()
  end
  if not okrun then
    failed = failed + 1
    h.say('FAIL - the test stopped: %s', err)
  end
  h.say('%d passed, %d failed', passed, failed)
  io.stdout:flush()
  if failed > 0 then
    vim.cmd('cquit 1')
  else
    vim.cmd('qall!')
  end
end

return h
