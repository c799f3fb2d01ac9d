; Highlighting for .flow files. Capture names are Helix's (they fall back by their dotted
; prefix in other editors: `keyword.control.conditional` is a `keyword`). No two patterns
; capture the same node, so the result does not depend on whether an editor lets the first or
; the last matching pattern win.

; Comments

(doc_comment) @comment.line.documentation

(comment) @comment.line

; Keywords

[
  "zone"
  "firewall"
  "group"
  "service"
  "role"
] @keyword.storage.type

; `host` begins an item, or a parameter type `host is ROLE`.
(host_definition
  "host" @keyword.storage.type)

(host_type
  "host" @type.builtin)

"import" @keyword.control.import

[
  "if"
  "else"
] @keyword.control.conditional

[
  "for"
  "in"
] @keyword.control.repeat

(rule
  [
    "allow"
    "deny"
  ] @keyword)

[
  "expect"
  "lint"
  "is"
  "from"
] @keyword

; The contextual words of a firewall body.
[
  "zones"
  "address"
] @keyword

; Protocols of a port spec.
[
  "tcp"
  "udp"
  "icmp"
  "icmpv6"
  "proto"
  "esp"
  "ah"
  "gre"
] @type.builtin

"@allow" @attribute

; Constants

[
  "allowed"
  "denied"
] @constant.builtin

(lint_level) @constant.builtin

(any) @constant.builtin

(self) @variable.builtin

(boolean) @constant.builtin.boolean

(integer) @constant.numeric.integer

[
  (ipv4_address)
  (ipv6_address)
  (ipv4_cidr)
  (ipv6_cidr)
] @constant.numeric

(string) @string

(escape_sequence) @constant.character.escape

; Definitions

(zone_definition
  name: (identifier) @type)

(firewall_definition
  name: (identifier) @type)

(role_definition
  name: (identifier) @type)

(host_definition
  name: (identifier) @variable)

(group_definition
  name: (identifier) @variable)

(service_definition
  name: (identifier) @function)

(parameter
  name: (identifier) @variable.parameter)

(argument
  name: (identifier) @variable.parameter)

(for_statement
  variable: (identifier) @variable)

; Uses

(import
  module: (identifier) @namespace)

(qualified_name
  module: (identifier) @namespace)

(role_use
  role: (identifier) @type)

(role_use
  role: (qualified_name
    name: (identifier) @type))

(host_type
  role: (identifier) @type)

(host_type
  role: (qualified_name
    name: (identifier) @type))

(firewall_zones
  zone: (identifier) @type)

; A name in a port-spec list is a service (or a `ports` parameter inside a role).
(port_specs
  (identifier) @function)

(port_specs
  (qualified_name
    name: (identifier) @function))

((parameter_type
  (identifier) @type.builtin)
  (#any-of? @type.builtin "int" "port" "ports" "bool" "addresses"))

((parameter_type
  (identifier) @constant)
  (#not-any-of? @constant "int" "port" "ports" "bool" "addresses"))

(icmp_spec
  type: (identifier) @constant)

(protocol_spec
  number: (identifier) @constant)

(attribute
  lint: (identifier) @label)

(lint_setting
  lint: (identifier) @label)

(lint_setting
  option: (identifier) @variable.other.member)

; Names used as values: machines, zones and roles in flows, parameters and loop variables in
; expressions (locals.scm gives a parameter's uses the parameter's highlight).

(endpoints
  (identifier) @variable)

(member_list
  (identifier) @variable)

(transport_spec
  (identifier) @variable)

(binary_expression
  (identifier) @variable)

(unary_expression
  (identifier) @variable)

(parenthesized_expression
  (identifier) @variable)

(set
  (identifier) @variable)

(range
  (identifier) @variable)

(argument
  value: (identifier) @variable)

(parameter
  default: (identifier) @constant)

(if_statement
  condition: (identifier) @variable)

(for_statement
  start: (identifier) @variable)

(for_statement
  end: (identifier) @variable)

; Operators and punctuation

[
  "->"
  "<->"
  "="
  "|"
  ".."
  "||"
  "&&"
  "=="
  "!="
  "<"
  "<="
  ">"
  ">="
  "+"
  "-"
  "*"
  "!"
] @operator

[
  "("
  ")"
  "{"
  "}"
] @punctuation.bracket

[
  ","
  ":"
  "."
] @punctuation.delimiter
