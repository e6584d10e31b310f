"""Compile the rule base, run an inference engine, resolve each decision: answers in, Advice out."""
