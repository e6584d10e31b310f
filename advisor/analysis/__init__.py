"""Analysis on top of inference: what-if and why-not, baseline comparison, rule-base lint and rule tests."""
