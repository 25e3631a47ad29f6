-- heatls.compat: the few places where Neovim 0.7 .. 0.12 differ.
-- Everything else in the plugin calls these instead of branching itself.
local M = {}

--- True when the running Neovim is at least version v ('0.8', '0.10').
function M.has(v)
  return vim.fn.has('nvim-' .. v) == 1
end

--- The running heatls clients, optionally only those attached to bufnr.
function M.clients(bufnr)
  local all
  if vim.lsp.get_clients then
    all = vim.lsp.get_clients({ name = 'heatls' })
  else
    all = vim.lsp.get_active_clients()
  end
  local out = {}
  for _, c in ipairs(all) do
    if c.name == 'heatls' and (not bufnr or vim.lsp.buf_is_attached(bufnr, c.id)) then
      table.insert(out, c)
    end
  end
  return out
end

--- client:request on 0.11+ (the dot form is deprecated there), client.request before.
function M.request(client, method, params, handler, bufnr)
  if M.has('0.11') then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

function M.notify(client, method, params)
  if M.has('0.11') then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

--- A Lua table that JSON-encodes as an object even when empty.
function M.object(t)
  if t == nil or next(t) == nil then
    return vim.empty_dict()
  end
  return t
end

return M
