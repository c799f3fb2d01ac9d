; Text objects (Helix): a role is a function (`maf`, `mif`), a firewall a class, parameters and
; arguments are parameters, an expectation is a test, and comments are comments.

(role_definition
  body: (block)? @function.inside) @function.around

(firewall_definition
  body: (firewall_body) @class.inside) @class.around

(parameter) @parameter.inside

(argument) @parameter.inside

(expectation) @test.around

[
  (comment)
  (doc_comment)
] @comment.inside

(comment)+ @comment.around

(doc_comment)+ @comment.around
