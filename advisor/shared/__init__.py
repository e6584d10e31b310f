"""Utilities every stage uses: located diagnostics, the one sanitiser, plain-words wording, atomic writes,
and termination signals turned into an exception so cleanup runs."""
