"""Utilities every stage uses: located diagnostics, the one sanitiser, plain-words wording, atomic writes."""
