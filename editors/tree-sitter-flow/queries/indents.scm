; Indentation (Helix): two spaces inside braces and parentheses, as `flowc fmt` writes.

[
  (block)
  (firewall_body)
  (parameter_list)
  (argument_list)
  (set)
  (parenthesized_expression)
] @indent

[
  "}"
  ")"
] @outdent
