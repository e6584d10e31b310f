"""Reading the sources: YAML files, their validation into models, the rule base, scenarios and notes."""
