/**
 * @file Tree-sitter grammar for flowc's `.flow` firewall-policy language.
 *
 * The reference is the Rust parser in compiler/src/syntax/ (lexer.rs and parser/*.rs);
 * spec/grammar.md and spec/lexical.md describe the same language in EBNF. A file has an ERROR
 * or MISSING node here exactly when flowc reports a syntax error (E0001-E0003) in it, with two
 * exceptions that no real file meets: tree-sitter's runtime skips a byte-order mark at the
 * start of a file (E0001 for flowc), and U+10FFFF is not accepted in comments and strings.
 * test.sh checks this on every .flow file of the repository and on the fuzz corpora.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const IPV4 = /[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/;
const IPV6 = /[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*/;
const PREFIX = /\/[0-9]+/;

// Binding strength of the binary operators, loosest first.
const PREC = {
  or: 1,
  and: 2,
  comparison: 3,
  sum: 4,
  product: 5,
};

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

/**
 * `left || right` and `left && right`; `left` is `leftmost`, so that the port family of
 * expressions can keep its own leftmost operand.
 * @param {GrammarSymbols<string>} $
 * @param {RuleOrLiteral} leftmost
 */
function logical($, leftmost) {
  return choice(
    prec.left(PREC.or, seq(
      field('left', leftmost), field('operator', '||'), field('right', $._expression),
    )),
    prec.left(PREC.and, seq(
      field('left', leftmost), field('operator', '&&'), field('right', $._expression),
    )),
  );
}

/**
 * `left == right` and the other comparisons, between arithmetic operands.
 * @param {GrammarSymbols<string>} $
 * @param {RuleOrLiteral} leftmost
 */
function comparison($, leftmost) {
  return prec(PREC.comparison, seq(
    field('left', leftmost),
    field('operator', choice('==', '!=', '<', '<=', '>', '>=')),
    field('right', $._arithmetic),
  ));
}

/**
 * `left + right`, `left - right` and `left * right`.
 * @param {GrammarSymbols<string>} $
 * @param {RuleOrLiteral} leftmost
 */
function arithmetic($, leftmost) {
  return choice(
    prec.left(PREC.sum, seq(
      field('left', leftmost), field('operator', choice('+', '-')), field('right', $._arithmetic),
    )),
    prec.left(PREC.product, seq(
      field('left', leftmost), field('operator', '*'), field('right', $._arithmetic),
    )),
  );
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
    // Hence a second family of expression rules (`port_*`) whose leftmost operand is never a
    // non-empty set.
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

    _port_expression: $ => choice(
      $._port_arithmetic,
      alias($.port_comparison, $.binary_expression),
      alias($.port_logical, $.binary_expression),
    ),

    port_logical: $ => logical($, $._port_expression),

    port_comparison: $ => comparison($, $._port_arithmetic),

    _port_arithmetic: $ => choice(
      alias($.port_arithmetic, $.binary_expression),
      $.unary_expression,
      $.integer,
      $.boolean,
      $._address,
      $._path,
      alias($.empty_set, $.set),
      $.parenthesized_expression,
    ),

    port_arithmetic: $ => arithmetic($, $._port_arithmetic),

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

    // Precedence as in spec/grammar.md's `expression`. Comparisons take arithmetic operands,
    // so they do not chain (`a == b == c` is an error, as in the Rust parser). Every level's
    // node is a `binary_expression`.
    _expression: $ => choice(
      $._arithmetic,
      alias($.comparison, $.binary_expression),
      alias($.logical, $.binary_expression),
    ),

    logical: $ => logical($, $._expression),

    comparison: $ => comparison($, $._arithmetic),

    _arithmetic: $ => choice(
      alias($.arithmetic, $.binary_expression),
      $.unary_expression,
      $._atom,
    ),

    arithmetic: $ => arithmetic($, $._arithmetic),

    // `!` binds tightest: `!a + b` is `(!a) + b`.
    unary_expression: $ => seq(
      field('operator', '!'),
      field('operand', choice($.unary_expression, $._atom)),
    ),

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

    _address: $ => choice($.ipv4_address, $.ipv6_address, $.ipv4_cidr, $.ipv6_cidr),

    // The Rust lexer validates the numbers later (E0006, E0007, E0010): `10.1.0.300` is an
    // address token with a bad value, not a syntax error, here as there. A CIDR is one token
    // there and here; as one token (not an address, `/` and a number) it also stays an
    // address inside the error-recovery regions of a half-typed file.
    ipv4_address: _ => token(IPV4),

    ipv4_cidr: _ => token(seq(IPV4, PREFIX)),

    // At least two colons, hex digits and dots: `fd00::1`, `::ffff:10.0.0.1`, `::`.
    ipv6_address: _ => token(IPV6),

    ipv6_cidr: _ => token(seq(IPV6, PREFIX)),

    any: _ => 'any',

    self: _ => 'self',

    boolean: _ => choice('true', 'false'),

    integer: _ => /[0-9]+/,

    // Letters, digits, `_` and `-`, not ending in `-`: `echo-request`, `broad-range`.
    identifier: _ => /[A-Za-z_]([A-Za-z0-9_-]*[A-Za-z0-9_])?/,

    // On one line; `\"`, `\\`, `\n`, `\t` are escapes, and any other escaped character stands
    // for itself. The character classes below spell out "anything but a line end" (LF, or a CR,
    // which ends a line on its own as in flowc and LSP) as ranges because tree-sitter's negated
    // classes never match a NUL byte, which the Rust lexer accepts inside strings and comments
    // (U+10FFFF, a noncharacter, is left out instead).
    string: $ => seq(
      '"',
      repeat(choice($.string_content, $.escape_sequence)),
      token.immediate('"'),
    ),

    // The precedence keeps a `#` inside a string from starting a comment.
    string_content: _ => token.immediate(prec(1, /[\x00-\t\x0B\x0C\x0E-!#-\[\]-\u{10FFFE}]+/u)),

    escape_sequence: _ => token.immediate(/\\[\x00-\t\x0B\x0C\x0E-\u{10FFFE}]/u),

    // `///` lines document the next item or role statement; `#` lines are plain comments.
    doc_comment: _ => token(prec(1, /\/\/\/[\x00-\t\x0B\x0C\x0E-\u{10FFFE}]*/u)),

    comment: _ => token(/#[\x00-\t\x0B\x0C\x0E-\u{10FFFE}]*/u),
  },
});
