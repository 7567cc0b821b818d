"""Small yes/no predicates used as transition permissions and conditions, one module per area."""
