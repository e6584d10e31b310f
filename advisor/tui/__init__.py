"""The interactive advisor (`advisor ask`): the only package that imports textual.

Modules without a textual import (session, scenario_io, draft, reasoning_model) hold the
state and file handling, so they can be tested and reused without a terminal.
"""
