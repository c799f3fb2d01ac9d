" Checks syntax/flow.vim: run from editors/nvim with
"   vim -Nu NONE -Es -S test/syntax.vim      or      nvim --headless -u NONE -S test/syntax.vim
" Exits non-zero (cquit) when a check fails.
set nocompatible
let s:root = expand('<sfile>:p:h:h')
execute 'set runtimepath^=' . fnameescape(s:root)
syntax on
execute 'edit ' . fnameescape(s:root . '/test/sample.flow')
set filetype=flow
let s:failures = []

" Check(line text, word in it, [occurrence,] expected syntax group)
function! s:Check(line, word, group, ...) abort
  let l:lnum = search('\V\^' . escape(a:line, '\'), 'nw')
  if l:lnum == 0
    call add(s:failures, 'no line: ' . a:line)
    return
  endif
  let l:text = getline(l:lnum)
  let l:col = -1
  for l:i in range(a:0 ? a:1 : 1)
    let l:col = stridx(l:text, a:word, l:col + 1)
  endfor
  if l:col < 0
    call add(s:failures, 'no "' . a:word . '" in: ' . l:text)
    return
  endif
  let l:got = synIDattr(synID(l:lnum, l:col + 1, 1), 'name')
  if l:got !=# a:group
    call add(s:failures, printf('line %d col %d "%s": want %s, got %s', l:lnum, l:col + 1, a:word, a:group, l:got))
  endif
endfunction

call s:Check('# A sample', '#', 'flowComment')
call s:Check('import nim', 'import', 'flowImport')
call s:Check('/// The management', '///', 'flowDocComment')
call s:Check('/// The management', '`mgmt`', 'flowDocCode')
call s:Check('zone mgmt', 'zone', 'flowDeclare')
call s:Check('zone mgmt', 'mgmt', 'flowDefinition')
call s:Check('zone mgmt', '10.1.0.0/24', 'flowAddress')
call s:Check('zone mgmt', 'fd00:1::/64', 'flowAddress')
call s:Check('zone internet', 'any', 'flowConstant')
call s:Check('  zones mgmt', 'zones', 'flowContextual')
call s:Check('  address 10.1.0.1', 'address', 'flowContextual')
call s:Check('  address 10.1.0.1', 'fd00:1::1', 'flowAddress')
call s:Check('host nim01', 'is', 'flowKeyword')
call s:Check('host nim01', 'nim', 'flowNamespace', 2)
call s:Check('host nim01', 'master', 'flowRoleUse')
call s:Check('host nim01', '33333', 'flowNumber')
call s:Check('host address', 'address', 'flowDefinition')
call s:Check('service nimsh', 'tcp', 'flowProtocol')
call s:Check('service nimsh', '3901..3902', 'flowRange')
call s:Check('service nimsh', 'from', 'flowKeyword')
call s:Check('@allow', '@allow', 'flowAttribute')
call s:Check('@allow', '"the', 'flowString')
call s:Check('@allow', '\"', 'flowEscape')
call s:Check('allow nim01', 'allow', 'flowStatement')
call s:Check('allow nim01', '->', 'flowOperator')
call s:Check('allow nim01', 'address', '')
call s:Check('allow nim01', 'echo-request', '')
call s:Check('deny internet', 'deny', 'flowStatement')
call s:Check('deny internet', '//', 'flowError')
call s:Check('role agent', 'int', 'flowBuiltinType')
call s:Check('role agent', 'bool', 'flowBuiltinType')
call s:Check('role agent', 'true', 'flowBoolean')
call s:Check('  for k', 'for', 'flowRepeat')
call s:Check('  for k', 'in', 'flowRepeat')
call s:Check('    any -> self', 'self', 'flowSelf')
call s:Check('  if count', 'if', 'flowConditional')
call s:Check('  } else {', 'else', 'flowConditional')
call s:Check('    self <-> any', '<->', 'flowOperator')
call s:Check('expect nim01', 'expect', 'flowStatement')
call s:Check('expect nim01', 'allowed', 'flowVerdict')
call s:Check('lint redundant', 'lint', 'flowStatement')
call s:Check('lint redundant', 'allow', 'flowLintLevel')
call s:Check('lint broad-range', 'error', 'flowLintLevel')
call s:Check('allow tcp-x', 'tcp-x', '')
call s:Check('allow tcp-x', 'count-1', '')

if empty(s:failures)
  call writefile(['syntax/flow.vim: all checks passed'], '/dev/stderr')
  qall!
else
  call writefile(s:failures, '/dev/stderr')
  cquit!
endif
