-- indentexpr for .flow files: a line is indented one `shiftwidth` more than the previous
-- non-blank line when that line leaves a `{` or `(` open, and one less when it starts
-- with `}` or `)`.
local M = {}

-- The net count of open brackets on a line, ignoring strings and comments.
local function open_brackets(line)
  local depth, in_string, i = 0, false, 1
  while i <= #line do
    local c = line:sub(i, i)
    if in_string then
      if c == '\\' then
        i = i + 1
      elseif c == '"' then
        in_string = false
      end
    elseif c == '"' then
      in_string = true
    elseif c == '#' or line:sub(i, i + 2) == '///' then
      break
    elseif c == '{' or c == '(' then
      depth = depth + 1
    elseif c == '}' or c == ')' then
      depth = depth - 1
    end
    i = i + 1
  end
  return depth
end

function M.get(lnum)
  local prev = vim.fn.prevnonblank(lnum - 1)
  if prev == 0 then
    return 0
  end
  local sw = vim.fn.shiftwidth()
  local prev_line = vim.fn.getline(prev)
  local indent = vim.fn.indent(prev)
  -- A previous line that starts with closers was already dedented for them.
  local leading = prev_line:match('^%s*([})]*)')
  local opened = open_brackets(prev_line) + #leading
  if opened > 0 then
    indent = indent + sw
  end
  if vim.fn.getline(lnum):match('^%s*[})]') then
    indent = indent - sw
  end
  return math.max(indent, 0)
end

return M
