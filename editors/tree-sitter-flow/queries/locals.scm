; Scopes, definitions and references: inside a role body, a parameter's name stands for its
; value and a `for` variable for the current number, so their uses are highlighted like their
; definitions. Qualified names (`nim.client`) are never local. Definitions use the
; `@local.definition.<highlight>` form of Helix and Neovim; the tree-sitter CLI's highlighter
; resolves only a bare `@local.definition`, so there the uses keep their highlights.scm
; highlight (`variable`).

(role_definition) @local.scope

(for_statement) @local.scope

(parameter
  name: (identifier) @local.definition.variable.parameter)

(for_statement
  variable: (identifier) @local.definition.variable)

(endpoints
  (identifier) @local.reference)

(port_specs
  (identifier) @local.reference)

(transport_spec
  (identifier) @local.reference)

(binary_expression
  (identifier) @local.reference)

(unary_expression
  (identifier) @local.reference)

(parenthesized_expression
  (identifier) @local.reference)

(set
  (identifier) @local.reference)

(range
  (identifier) @local.reference)

(if_statement
  condition: (identifier) @local.reference)

(for_statement
  start: (identifier) @local.reference)

(for_statement
  end: (identifier) @local.reference)
