/**
 * @file Tree-sitter grammar for flowc's `.flow` firewall-policy language.
 *
 * The reference is the Rust parser in compiler/src/syntax/ (lexer.rs and parser/*.rs);
 * spec/grammar.md and spec/lexical.md describe the same language in EBNF. Where this grammar
 * must accept something different from the Rust parser, the comment at the rule says why.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const COMPARISON_OPERATORS = ['==', '!=', '<', '<=', '>', '>='];

// The reserved words of spec/lexical.md: never names, anywhere.
const KEYWORDS = [
  'import', 'zone', 'firewall', 'host', 'group', 'service', 'role', 'allow', 'deny', 'expect',
  'lint', 'is', 'if', 'else', 'for', 'in', 'self', 'any', 'true', 'false', 'tcp', 'udp', 'icmp',
  'icmpv6', 'proto', 'esp', 'ah', 'gre', 'from',
];

/**
 * One or more `rule`s separated by `separator`.
 * @param {RuleOrLiteral} rule
 * @param {RuleOrLiteral} separator
 */
function sep1(rule, separator) {
  return seq(rule, repeat(seq(separator, rule)));
}

/** @param {RuleOrLiteral} rule */
function commaSep1(rule) {
  return sep1(rule, ',');
}

module.exports = grammar({
  name: 'flow',

  // Newlines mean nothing: every item starts with a keyword. Only the ASCII blanks that the
  // Rust lexer skips are blanks here; any other byte is an error there and here.
  extras: $ => [/[ \t\r\n\f]/, $.comment, $.doc_comment],

  word: $ => $.identifier,

  reserved: {
    global: _ => KEYWORDS,
    // After `icmp` and `proto` the Rust parser never takes `allowed` or `denied` as a name,
    // so `expect a -> b : icmp allowed` means every ICMP type, and `service s = icmp allowed`
    // is an error.
    protocol_name: _ => [...KEYWORDS, 'allowed', 'denied'],
  },

  conflicts: _ => [],

  rules: {
    source_file: $ => repeat($._item),

    // Attributes belong to the item after them; the Rust parser rejects one with no item.
    _item: $ => seq(
      repeat($.attribute),
      choice(
        $.import,
        $.zone_definition,
        $.firewall_definition,
        $.host_definition,
        $.group_definition,
        $.service_definition,
        $.role_definition,
        $.rule,
        $.expectation,
        $.lint_setting,
      ),
    ),

    attribute: $ => seq(
      '@allow',
      '(',
      field('lint', $.identifier),
      ',',
      field('reason', $.string),
      ')',
    ),

    import: $ => seq('import', field('module', $.identifier)),

    zone_definition: $ => seq(
      'zone',
      field('name', $.identifier),
      '=',
      field('addresses', choice($.any, $.address_list)),
    ),

    address_list: $ => commaSep1($._address),

    firewall_definition: $ => seq(
      'firewall',
      field('name', $.identifier),
      field('body', $.firewall_body),
    ),

    firewall_body: $ => seq(
      '{',
      repeat(choice($.firewall_zones, $.firewall_addresses)),
      '}',
    ),

    // `zones` and `address` are contextual words: names everywhere else.
    firewall_zones: $ => seq('zones', commaSep1(field('zone', $.identifier))),

    firewall_addresses: $ => seq('address', $.address_list),

    host_definition: $ => seq(
      'host',
      field('name', $.identifier),
      '=',
      field('addresses', $.address_list),
      optional(field('roles', $.role_list)),
    ),

    group_definition: $ => seq(
      'group',
      field('name', $.identifier),
      '=',
      field('members', $.member_list),
      optional(field('roles', $.role_list)),
    ),

    member_list: $ => commaSep1(choice($._address, $._path)),

    role_list: $ => seq('is', commaSep1($.role_use)),

    role_use: $ => seq(
      field('role', $._path),
      optional(field('arguments', $.argument_list)),
    ),

    // No trailing comma: the Rust parser accepts one only in braces and in parameter lists.
    argument_list: $ => seq(
      '(',
      optional(commaSep1($.argument)),
      ')',
    ),

    argument: $ => seq(
      field('name', $.identifier),
      '=',
      field('value', $._value),
    ),

    service_definition: $ => seq(
      'service',
      field('name', $.identifier),
      '=',
      field('specs', $.port_specs),
    ),

    role_definition: $ => seq(
      'role',
      field('name', $.identifier),
      optional(field('parameters', $.parameter_list)),
      optional(field('body', $.block)),
    ),

    parameter_list: $ => seq(
      '(',
      optional(seq(commaSep1($.parameter), optional(','))),
      ')',
    ),

    parameter: $ => seq(
      field('name', $.identifier),
      ':',
      field('type', choice($.host_type, $.parameter_type)),
      optional(seq('=', field('default', $._value))),
    ),

    // `host is nim.master | nim.client`: a host holding one of these roles.
    host_type: $ => seq('host', 'is', sep1(field('role', $._path), '|')),

    // A builtin type (`int`, `port`, `ports`, `bool`, `addresses`) or an enumeration of words
    // or numbers (`nimsh | rsh`, `3 | 4`); the parser does not tell them apart either.
    parameter_type: $ => sep1(choice($.identifier, $.integer), '|'),

    block: $ => seq('{', repeat($._statement), '}'),

    _statement: $ => choice($.flow_statement, $.if_statement, $.for_statement),

    flow_statement: $ => $._flow,

    if_statement: $ => seq(
      'if',
      field('condition', $._expression),
      field('consequence', $.block),
      optional(seq('else', field('alternative', choice($.block, $.if_statement)))),
    ),

    for_statement: $ => seq(
      'for',
      field('variable', $.identifier),
      'in',
      field('start', $._expression),
      '..',
      field('end', $._expression),
      field('body', $.block),
    ),

    rule: $ => seq(field('action', choice('allow', 'deny')), $._flow),

    // `allowed` and `denied` are contextual words: names everywhere else.
    expectation: $ => seq(
      'expect',
      $._flow,
      field('outcome', choice('allowed', 'denied')),
    ),

    // `SOURCES -> DESTINATIONS : SPECS`, shared by rules, expectations and role statements.
    _flow: $ => seq(
      field('sources', $.endpoints),
      field('arrow', choice('->', '<->')),
      field('destinations', $.endpoints),
      ':',
      field('specs', $.port_specs),
    ),

    endpoints: $ => commaSep1(choice($.self, $.any, $._address, $._path)),

    lint_setting: $ => seq(
      'lint',
      field('lint', $.identifier),
      optional(seq('.', field('option', $.identifier))),
      '=',
      field('value', choice($.lint_level, $.integer)),
    ),

    // `error` and `warn` are contextual words; `allow` is the keyword.
    lint_level: _ => choice('error', 'warn', 'allow'),

    port_specs: $ => commaSep1(choice(
      $.transport_spec,
      $.icmp_spec,
      $.protocol_spec,
      $.any,
      // A service, or a `port`/`ports` parameter inside a role body.
      $._path,
    )),

    transport_spec: $ => seq(
      field('protocol', choice('tcp', 'udp')),
      field('ports', $._ports),
      optional(seq('from', field('source_ports', $._ports))),
    ),

    // A number, a range, an expression, or a braced list `{22, 443, 9000..9010}`. The Rust
    // parser tries the braced list first, so a port expression never starts with a non-empty
    // set: `tcp {22} + 1` is an error there and here, while `tcp {} + 1` is a sum in both.
    _ports: $ => choice(
      alias($.port_list, $.set),
      $._port_expression,
      alias($.port_range, $.range),
    ),

    port_list: $ => seq(
      '{',
      commaSep1(choice($._expression, $.range)),
      optional(','),
      '}',
    ),

    port_range: $ => seq(
      field('start', $._port_expression),
      '..',
      field('end', $._expression),
    ),

    // The expression levels below, for an expression that does not start with a non-empty set.
    _port_expression: $ => choice(
      $._port_and_level,
      alias($.port_or_expression, $.binary_expression),
    ),

    port_or_expression: $ => seq(
      field('left', $._port_expression),
      field('operator', '||'),
      field('right', $._and_level),
    ),

    _port_and_level: $ => choice(
      $._port_comparison_level,
      alias($.port_and_expression, $.binary_expression),
    ),

    port_and_expression: $ => seq(
      field('left', $._port_and_level),
      field('operator', '&&'),
      field('right', $._comparison_level),
    ),

    _port_comparison_level: $ => choice(
      $._port_sum_level,
      alias($.port_comparison_expression, $.binary_expression),
    ),

    port_comparison_expression: $ => seq(
      field('left', $._port_sum_level),
      field('operator', choice(...COMPARISON_OPERATORS)),
      field('right', $._sum_level),
    ),

    _port_sum_level: $ => choice(
      $._port_product_level,
      alias($.port_sum_expression, $.binary_expression),
    ),

    port_sum_expression: $ => seq(
      field('left', $._port_sum_level),
      field('operator', choice('+', '-')),
      field('right', $._product_level),
    ),

    _port_product_level: $ => choice(
      $._port_unary_level,
      alias($.port_product_expression, $.binary_expression),
    ),

    port_product_expression: $ => seq(
      field('left', $._port_product_level),
      field('operator', '*'),
      field('right', $._unary_level),
    ),

    _port_unary_level: $ => choice($.unary_expression, $._port_atom),

    _port_atom: $ => choice(
      $.integer,
      $.boolean,
      $._address,
      $._path,
      alias($.empty_set, $.set),
      $.parenthesized_expression,
    ),

    empty_set: _ => seq('{', '}'),

    // The type is optional, so `icmp` followed by a flow statement that starts with a name is
    // ambiguous; like the Rust parser, the name is taken as the ICMP type.
    icmp_spec: $ => prec.right(seq(
      field('protocol', choice('icmp', 'icmpv6')),
      optional(field('type', choice($.integer, reserved('protocol_name', $.identifier)))),
    )),

    protocol_spec: $ => choice(
      field('protocol', choice('esp', 'ah', 'gre')),
      seq(
        field('protocol', 'proto'),
        field('number', choice($.integer, reserved('protocol_name', $.identifier))),
      ),
    ),

    // Argument values and parameter defaults: an expression or a range `lo..hi`.
    _value: $ => choice($._expression, $.range),

    range: $ => seq(field('start', $._expression), '..', field('end', $._expression)),

    // One rule per level of spec/grammar.md's `expression`, so that a comparison does not
    // chain (`a == b == c` is an error, as in the Rust parser); every level's node is a
    // `binary_expression`.
    _expression: $ => choice($._and_level, alias($.or_expression, $.binary_expression)),

    or_expression: $ => seq(
      field('left', $._expression),
      field('operator', '||'),
      field('right', $._and_level),
    ),

    _and_level: $ => choice($._comparison_level, alias($.and_expression, $.binary_expression)),

    and_expression: $ => seq(
      field('left', $._and_level),
      field('operator', '&&'),
      field('right', $._comparison_level),
    ),

    _comparison_level: $ => choice(
      $._sum_level,
      alias($.comparison_expression, $.binary_expression),
    ),

    comparison_expression: $ => seq(
      field('left', $._sum_level),
      field('operator', choice(...COMPARISON_OPERATORS)),
      field('right', $._sum_level),
    ),

    _sum_level: $ => choice($._product_level, alias($.sum_expression, $.binary_expression)),

    sum_expression: $ => seq(
      field('left', $._sum_level),
      field('operator', choice('+', '-')),
      field('right', $._product_level),
    ),

    _product_level: $ => choice($._unary_level, alias($.product_expression, $.binary_expression)),

    product_expression: $ => seq(
      field('left', $._product_level),
      field('operator', '*'),
      field('right', $._unary_level),
    ),

    _unary_level: $ => choice($.unary_expression, $._atom),

    unary_expression: $ => seq(field('operator', '!'), field('operand', $._unary_level)),

    _atom: $ => choice(
      $.integer,
      $.boolean,
      $._address,
      $._path,
      $.set,
      $.parenthesized_expression,
    ),

    set: $ => seq(
      '{',
      optional(seq(commaSep1(choice($._expression, $.range)), optional(','))),
      '}',
    ),

    parenthesized_expression: $ => seq('(', $._expression, ')'),

    // `nim.master`: a module and a name, or a plain name.
    _path: $ => choice($.identifier, $.qualified_name),

    qualified_name: $ => seq(
      field('module', $.identifier),
      repeat1(seq('.', field('name', $.identifier))),
    ),

    _address: $ => choice($.ipv4_address, $.ipv6_address, $.cidr),

    // The Rust lexer validates the numbers later (E0006, E0007, E0010): `10.1.0.300` is an
    // address token with a bad value, not a syntax error, here as there.
    ipv4_address: _ => /[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/,

    // At least two colons, hex digits and dots: `fd00::1`, `::ffff:10.0.0.1`, `::`.
    ipv6_address: _ => /[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*/,

    cidr: $ => seq(
      field('address', choice($.ipv4_address, $.ipv6_address)),
      token.immediate('/'),
      field('prefix', alias(token.immediate(/[0-9]+/), $.prefix_length)),
    ),

    any: _ => 'any',

    self: _ => 'self',

    boolean: _ => choice('true', 'false'),

    integer: _ => /[0-9]+/,

    // Letters, digits, `_` and `-`, not ending in `-`: `echo-request`, `broad-range`.
    identifier: _ => /[A-Za-z_]([A-Za-z0-9_-]*[A-Za-z0-9_])?/,

    // On one line; `\"`, `\\`, `\n`, `\t` are escapes, and any other escaped character stands
    // for itself. The character classes below spell out "anything but a newline" as ranges
    // because tree-sitter's negated classes never match a NUL byte, which the Rust lexer
    // accepts inside strings and comments (U+10FFFF, a noncharacter, is left out instead).
    string: $ => seq(
      '"',
      repeat(choice($.string_content, $.escape_sequence)),
      token.immediate('"'),
    ),

    // The precedence keeps a `#` inside a string from starting a comment.
    string_content: _ => token.immediate(prec(1, /[\x00-\t\x0B-!#-\[\]-\u{10FFFE}]+/u)),

    escape_sequence: _ => token.immediate(/\\[\x00-\t\x0B-\u{10FFFE}]/u),

    // `///` lines document the next item or role statement; `#` lines are plain comments.
    doc_comment: _ => token(prec(1, /\/\/\/[\x00-\t\x0B-\u{10FFFE}]*/u)),

    comment: _ => token(/#[\x00-\t\x0B-\u{10FFFE}]*/u),
  },
});
