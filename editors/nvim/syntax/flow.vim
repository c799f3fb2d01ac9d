" Vim syntax file
" Language:    flow (flowc firewall policies), spec/lexical.md and spec/grammar.md
" Filenames:   *.flow
" Works in Vim 8+ and Neovim.

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

" Identifiers hold '-' (echo-request), so keywords are matched as whole words of
" [A-Za-z0-9_-]: `tcp-x` is a name, not `tcp`.
syn iskeyword @,48-57,_,-
syn case match

" Later definitions win when two matches start at the same place, and keywords win over
" matches: so the contextual words (which must beat `allow`) are matches, defined late.

" Operators and punctuation.
syn match   flowOperator   /<->\|->\|\.\.\|==\|!=\|<=\|>=\|&&\|||\|[<>!+*=|-]/
syn match   flowDelimiter  /[,:.]/
syn match   flowBrace      /[{}()]/

" Numbers, ranges and addresses (addresses after numbers, so they win).
syn match   flowNumber     /\<\d\+\>/
syn match   flowRange      /\<\d\+\s*\.\.\s*\d\+\>/ contains=flowOperator
syn match   flowAddress    /\<\d\+\%(\.\d\+\)\{3}\%(\/\d\+\)\=\>/
syn match   flowAddress    /\%([0-9A-Za-z_.:]\)\@<!\x*:\x*:[0-9A-Fa-f:.]*\%(\/\d\+\)\=\%([0-9A-Za-z_]\)\@!/

" Reserved keywords (spec/lexical.md).
syn keyword flowImport     import
syn keyword flowDeclare    zone firewall host group service role
syn keyword flowStatement  deny expect lint
syn match   flowStatement  /\<allow\>/
syn keyword flowConditional if else
syn keyword flowRepeat     for in
syn keyword flowKeyword    is from
syn keyword flowProtocol   tcp udp icmp icmpv6 proto esp ah gre
syn keyword flowBoolean    true false
syn keyword flowConstant   any
syn keyword flowSelf       self

" Names being defined, and qualified names (module.name).
syn match   flowDefinition /\%(\<\%(zone\|firewall\|host\|group\|service\|role\)\s\+\)\@<=\%(is\>\)\@![A-Za-z_][A-Za-z0-9_-]*/
syn match   flowNamespace  /\<[A-Za-z_][A-Za-z0-9_-]*\ze\.[A-Za-z_]/
syn match   flowRoleUse    /\%(\<is\s\+\%([A-Za-z_][A-Za-z0-9_-]*\.\)\=\)\@<=[A-Za-z_][A-Za-z0-9_-]*\>\.\@!/

" Contextual words, only in their places.
syn match   flowContextual /^\s*\zs\%(zones\|address\)\>\ze\s\+[^=[:space:]]/
syn match   flowVerdict    /\<\%(allowed\|denied\)\>\ze\s*\%(#.*\)\=$/
syn match   flowLintLevel  /\%(\<lint\s\+[A-Za-z0-9_.-]\+\s*=\s*\)\@<=\%(error\|warn\|allow\)\>/
syn match   flowBuiltinType /\%(:\s*\)\@<=\<\%(int\|ports\|port\|bool\|addresses\)\>\ze\s*[,=)]/

" @allow(lint, "reason")
syn match   flowAttribute  /@allow\>/

" Strings: one line, with \" \\ \n \t escapes.
syn region  flowString     start=/"/ skip=/\\\\\|\\"/ end=/"/ end=/$/ oneline contains=flowEscape,flowEscapeError
syn match   flowEscapeError /\\./ contained
syn match   flowEscape     /\\["\\nt]/ contained

" Comments last: they win over everything that starts at the same place.
syn keyword flowTodo       TODO FIXME XXX NOTE contained
syn match   flowError      +//+
syn match   flowComment    /#.*$/ contains=flowTodo,@Spell
syn match   flowDocComment +///.*$+ contains=flowDocCode,flowTodo,@Spell
syn match   flowDocCode    /`[^`]*`/ contained

hi def link flowComment     Comment
hi def link flowDocComment  SpecialComment
hi def link flowDocCode     Special
hi def link flowTodo        Todo
hi def link flowError       Error
hi def link flowString      String
hi def link flowEscape      SpecialChar
hi def link flowEscapeError Error
hi def link flowImport      Include
hi def link flowDeclare     Structure
hi def link flowStatement   Statement
hi def link flowConditional Conditional
hi def link flowRepeat      Repeat
hi def link flowKeyword     Keyword
hi def link flowProtocol    Type
hi def link flowBoolean     Boolean
hi def link flowConstant    Constant
hi def link flowSelf        Special
hi def link flowDefinition  Function
hi def link flowNamespace   Include
hi def link flowRoleUse     Type
hi def link flowContextual  Keyword
hi def link flowVerdict     Keyword
hi def link flowLintLevel   Constant
hi def link flowBuiltinType Type
hi def link flowAttribute   PreProc
hi def link flowNumber      Number
hi def link flowRange       Number
hi def link flowAddress     Constant
hi def link flowOperator    Operator
hi def link flowDelimiter   Delimiter
hi def link flowBrace       Delimiter

let b:current_syntax = 'flow'

let &cpo = s:cpo_save
unlet s:cpo_save
