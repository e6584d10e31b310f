"""Read YAML safely into plain data plus the source position of every key and value.

Why not `yaml.safe_load`: it silently keeps the last of duplicate keys, reads
`no` as False and `012` as octal 10 (YAML 1.1), expands alias bombs without
limit, and forgets line numbers. Here the node tree from the safe composer is
converted by hand with YAML 1.2 core-schema scalars, duplicate keys and
unsupported tags are errors, alias expansion is bounded, and every path into
the data maps back to a line and column for error messages.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from advisor.shared.diagnostics import Diagnostic, InvalidInput, display_path

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 100
_REPARSE_MAX_CHARS = 64 * 1024
"""Texts up to this size get PyYAML's wordier error message (see _syntax_diagnostic)."""
MAX_NUMBER_DIGITS = 400  # far beyond any useful answer; Python refuses int() beyond 4300 digits anyway
_LARGEST_FLOAT = sys.float_info.max

# libyaml's parser is about ten times faster than PyYAML's, which matters for batches of thousands of
# files. Its composer recurses in C without a limit (deep nesting crashes the process) and PyYAML's
# recurses in Python (RecursionError), so nesting depth is checked on the event stream first.
_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN = "tag:advisor,2024:plain"

PathKey = tuple[str | int, ...]

_INT = re.compile(r"^[-+]?[0-9]+$")
_INT_LEADING_ZERO = re.compile(r"^[-+]?0[0-9]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = re.compile(r"^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULL = {"", "~", "null", "Null", "NULL"}
# Tags PyYAML's resolver gives plain scalars; anything else was written explicitly (`!!python/...`).
_IMPLICIT_SCALAR_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "timestamp", "value")}
_NUMBER_START = frozenset("+-.0123456789")
"""Every number pattern below (and the leading-zero check) starts with one of these."""
_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n", "Yes", "No", "On", "Off", "YES", "NO", "ON", "OFF"}


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A safe loader that marks untagged plain scalars instead of resolving them with YAML 1.1 rules.

    PyYAML's resolver tags a plain `1e5` as a string and `no` as a boolean; a plain scalar
    must be resolved by the YAML 1.2 core schema below, so it gets its own tag here.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit and implicit[0]:
            return _PLAIN
        return str(super().resolve(kind, value, implicit))


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class SourceDocument:
    """Parsed YAML data with positions for keys (`key_at`) and values (`value_at`)."""

    path: Path
    data: Any
    value_at: dict[PathKey, Position]
    key_at: dict[PathKey, Position]
    notices: list[str]
    shown_path: str
    """The path as messages show it (see display_path)."""

    # Pickled (the compiled rule base cache) without the parsed data and positions: they are most of its
    # size and only locate messages. They are read again from the file on first use; the cache is keyed by
    # the files' bytes, so it is the same text (a file changed or gone since gives positions 1:1, not an error).
    _PARSED = ("data", "value_at", "key_at")
    _NODES = "_nodes"
    """A document parsed without positions (parse_yaml_text) keeps its node tree here until they are asked for."""

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in self._PARSED and k != self._NODES}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> Any:  # only called for attributes not set: see _PARSED and _NODES
        if name not in SourceDocument._PARSED or "path" not in self.__dict__:
            raise AttributeError(name)
        nodes = self.__dict__.pop(SourceDocument._NODES, None)
        if nodes is not None:  # positions are only needed for a message: found now, from the same nodes
            located = _Converter(self.path, self.shown_path)
            located.convert(nodes, ())
            self.__dict__.update(value_at=located.value_at, key_at=located.key_at)
            return self.__dict__[name]
        try:
            again = read_yaml_file(self.path)
            parsed = {"data": again.data, "value_at": again.value_at, "key_at": again.key_at}
        except InvalidInput:
            parsed = {"data": None, "value_at": {}, "key_at": {}}
        self.__dict__.update(parsed)
        return parsed[name]

    def locate(self, loc: tuple[Any, ...], *, prefer_key: bool = False) -> Position:
        """The best position for a pydantic-style `loc`, skipping segments that are not in the data
        (union tags and the like) and falling back to the deepest existing parent."""
        node = self.data
        found: PathKey = ()
        for segment in loc:
            in_dict = isinstance(node, dict) and isinstance(segment, str) and segment in node
            in_list = isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node)
            if in_dict or in_list:
                node = node[segment]
                found = (*found, segment)
        if prefer_key and found in self.key_at:
            return self.key_at[found]
        return self.value_at.get(found) or self.key_at.get(found) or Position(1, 1)

    def diagnostic(self, loc: tuple[Any, ...], kind: str, message: str, *, prefer_key: bool = False) -> Diagnostic:
        pos = self.locate(loc, prefer_key=prefer_key)
        return Diagnostic(self.shown_path, pos.line, pos.column, kind, message)


class _Converter:
    """Plain data from a node tree, with the position of every key and value (`convert`), or without them
    (`plain`, on a converter made with positions=False): most documents are valid and never quote a line, so
    they are parsed without, and a document with a problem is converted again with positions for its messages
    (see _WithPositions)."""

    def __init__(self, path: Path, shown: str, positions: bool = True) -> None:
        self.path = path
        self.shown = shown
        self.positions = positions
        self.value_at: dict[PathKey, Position] = {}
        self.key_at: dict[PathKey, Position] = {}
        self.errors: list[Diagnostic] = []
        self.notices: list[str] = []
        self.count = 0

    def error(self, node: yaml.Node, kind: str, message: str) -> None:
        if not self.positions:
            raise _WithPositions
        mark = node.start_mark
        self.errors.append(Diagnostic(self.shown, mark.line + 1, mark.column + 1, kind, message))

    def plain(self, node: yaml.Node, depth: int = 0) -> Any:
        """`convert` for a converter without positions, in one pass that gives up (_WithPositions) at anything
        but plain data: a tag, a duplicate or merge key, a key that is not text, too many values or levels.
        The converter with positions then finds the same data or words the problem; most documents take only
        this pass, which keeps no path per value (a tuple for every key and item) and no error handling."""
        self.count += 1
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            raise _WithPositions
        kind = type(node)
        if kind is yaml.ScalarNode:
            return self._scalar(node)
        if kind is yaml.MappingNode and node.tag == "tag:yaml.org,2002:map":
            result: dict[str, Any] = {}
            scalar, plain, depth = self._scalar, self.plain, depth + 1
            for key_node, value_node in node.value:
                key = scalar(key_node) if type(key_node) is yaml.ScalarNode else None
                # "<<" may be a merge key (a plain one skips the resolver): the careful pass tells
                if type(key) is not str or key in result or key == "<<":
                    raise _WithPositions
                result[key] = plain(value_node, depth)
            return result
        if kind is yaml.SequenceNode and node.tag == "tag:yaml.org,2002:seq":
            plain, depth = self.plain, depth + 1
            return [plain(item, depth) for item in node.value]
        raise _WithPositions

    def convert(self, node: yaml.Node, path: PathKey, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge(node)
        if depth > MAX_DEPTH:
            raise _TooDeep(node)
        self.value_at.setdefault(path, Position(node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag not in ("tag:yaml.org,2002:seq",):
                self.error(node, "yaml_tag", f"unsupported tag {node.tag!r}; only plain YAML is accepted")
                return None
            return [self.convert(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: PathKey, depth: int) -> dict[str, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            self.error(node, "yaml_tag", f"unsupported tag {node.tag!r}; only plain YAML is accepted")
            return {}
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            plain_merge = key_node.tag == _PLAIN and key_node.value == "<<"  # plain keys skip the resolver
            if key_node.tag == "tag:yaml.org,2002:merge" or plain_merge:
                self.error(key_node, "yaml_merge", "merge keys ('<<') are not supported; write the keys out")
                continue
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str | int | float | bool) or isinstance(key, bool):
                if isinstance(key, bool):
                    key = "true" if key else "false"
                elif isinstance(key, int | float):
                    key = str(key)
                else:
                    self.error(key_node, "yaml_key", "mapping keys must be plain scalars")
                    continue
            key = str(key)
            if key in result:
                first = self.key_at[(*path, key)]
                self.error(
                    key_node,
                    "duplicate_key",
                    f"duplicate key {key!r} (first defined at line {first.line}); YAML would silently keep "
                    "only the last one",
                )
                continue
            self.key_at[(*path, key)] = Position(key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            try:
                result[key] = self.convert(value_node, (*path, key), depth + 1)
            except _TooLarge as exc:
                if depth == 0 and type(exc) is _TooLarge and exc.key is None:
                    # point at the top-level key whose value explodes, not at a node deep inside it
                    raise _TooLarge(key_node, key) from None
                raise
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        value: str = node.value
        tag = node.tag
        if tag == "tag:yaml.org,2002:str" or node.style in ("'", '"', "|", ">"):
            return value
        if tag != _PLAIN and tag not in _IMPLICIT_SCALAR_TAGS:
            self.error(node, "yaml_tag", f"unsupported tag {tag!r}; only plain YAML is accepted")
            return None
        # Plain scalar: resolve with the YAML 1.2 core schema, not PyYAML's 1.1 rules.
        if value in _NULL:
            return None
        if value in _BOOL:
            return _BOOL[value]
        if value[0] not in _NUMBER_START:  # no number pattern below can match: text (most keys and values)
            if value in _YAML11_BOOLS:
                self.notices.append(value)
            return value
        if _INT_LEADING_ZERO.match(value):
            self.error(
                node,
                "ambiguous_number",
                f"{value!r} has a leading zero: YAML 1.1 reads it as octal, YAML 1.2 as decimal; "
                f"write {int(value, 10)} (or quote it if it is text)",
            )
            return None
        base = 10 if _INT.match(value) else 16 if _HEX.match(value) else 8 if _OCT.match(value) else None
        # Bounded by length before any conversion, whatever the base: int() of thousands of digits is slow
        # (or refused beyond 4300 decimal digits) and such a number is no usable value anyway.
        if len(value) > MAX_NUMBER_DIGITS and (base is not None or _FLOAT.match(value)):
            self.error(node, "number_range", f"a number of {len(value)} digits is not a usable value")
            return None
        if base is not None:
            number = int(value if base == 10 else value[2:], base)
            if abs(number) > _LARGEST_FLOAT:  # every comparison and calculation goes through floats
                shown = value if len(value) <= 24 else f"{value[:20]}..."
                self.error(node, "number_range", f"{shown} is beyond the largest usable number "
                           f"(about {_LARGEST_FLOAT:.1e})")
                return None
            return number
        if _FLOAT.match(value):
            return float(value)
        if _SPECIAL_FLOAT.match(value):
            return float(value.replace(".", "", 1)) if "inf" not in value.lower() else (
                -math.inf if value.startswith("-") else math.inf)
        if value in _YAML11_BOOLS:
            self.notices.append(value)
        return value


class _WithPositions(Exception):
    """A conversion without positions met a problem: its message needs them, convert again with them."""


class _TooLarge(Exception):
    def __init__(self, node: yaml.Node, key: str | None = None) -> None:
        self.node = node
        self.key = key


class _TooDeep(_TooLarge):
    pass


_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def _decode(raw: bytes, shown: str) -> str:
    if raw.startswith(_UTF16_32_BOMS):
        raise InvalidInput([Diagnostic(shown, 1, 1, "encoding",
                                       "the file is UTF-16 or UTF-32; save it as UTF-8")])
    if b"\x00" in raw[:8192]:
        raise InvalidInput([Diagnostic(shown, 1, 1, "binary_file", "this is a binary file, not YAML text")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InvalidInput(
            [Diagnostic(shown, line, column, "encoding", f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; "
                        "save the file as UTF-8")]
        ) from None
    return text


def parse_yaml_text(text: str, path: Path, shown: str | None = None) -> SourceDocument:
    """`shown`: how messages name the file (display_path(path) when not given)."""
    shown = display_path(path) if shown is None else shown
    if not text.strip():
        raise InvalidInput([Diagnostic(shown, 1, 1, "empty_file", "the file is empty; expected a YAML mapping")])
    try:
        # A text this long may hold more than MAX_NODES values (about two per character at most, as in
        # `{a,b}`): count them on the event stream, far cheaper than composing them all first.
        if _collections_bound(text) > MAX_DEPTH or len(text) > MAX_NODES // 2:
            _check_depth(text, shown)
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        raise InvalidInput([_syntax_diagnostic(text, shown, exc)]) from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise InvalidInput([Diagnostic(shown, 1, 1, "empty_file", "the file holds no YAML document")])
    if len(nodes) > 1:
        mark = nodes[1].start_mark
        raise InvalidInput([Diagnostic(shown, mark.line + 1, mark.column + 1, "yaml_multiple_documents",
                                       "expected one YAML document, found several ('---')")])
    converter = _Converter(path, shown, positions=False)
    try:
        try:
            data = converter.plain(nodes[0])
        except _WithPositions:
            converter = _Converter(path, shown)
            data = converter.convert(nodes[0], ())
    except _TooDeep as exc:
        mark = exc.node.start_mark
        raise InvalidInput([Diagnostic(shown, mark.line + 1, mark.column + 1, "yaml_too_deep",
                                       f"the document nests more than {MAX_DEPTH} levels deep")]) from None
    except _TooLarge as exc:
        mark = exc.node.start_mark
        where = f"the value of {exc.key!r} " if exc.key is not None else "the document "
        raise InvalidInput([Diagnostic(shown, mark.line + 1, mark.column + 1, "yaml_too_large",
                                       f"{where}expands to more than {MAX_NODES} values "
                                       "(an alias bomb?)")]) from None
    if converter.errors:
        raise InvalidInput(converter.errors)
    if converter.positions:
        return SourceDocument(path, data, converter.value_at, converter.key_at, converter.notices, shown)
    # value_at and key_at are found from the nodes when first read (SourceDocument.__getattr__)
    doc = SourceDocument.__new__(SourceDocument)
    doc.__dict__.update(path=path, data=data, notices=converter.notices, shown_path=shown)
    doc.__dict__[SourceDocument._NODES] = nodes[0]
    return doc


def _collections_bound(text: str) -> int:
    """An upper bound on the number of collections in the text, hence on their nesting depth.

    Every collection starts at a character of its own: '[' or '{' (flow), the '-' of a block sequence's
    first entry, or the '?' or ':' of a mapping's first key (block mappings, and the one-pair mappings
    allowed inside flow sequences). Counting those characters anywhere, scalars and comments included,
    can only overcount. Scenario files stay far below MAX_DEPTH, so most skip the event pass below."""
    return sum(text.count(c) for c in "[{-?:")


def _check_depth(text: str, shown: str) -> None:
    """Refuse documents nested deeper than MAX_DEPTH, or with more than MAX_NODES values written out,
    before any recursive code sees them or the composer builds them all.

    The event stream is produced iteratively by both parsers, so this cannot overflow a stack.
    """
    try:
        _count_events(text, shown)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        if mark is None or "nesting depth" not in (exc.problem or ""):
            raise
        # libyaml 0.2.5 as bundled since PyYAML 6.0.2 gives up at 1000 flow levels, met while it looks
        # up to 1024 characters ahead for a `key:` before emitting the first of them; so the event pass
        # never saw level MAX_DEPTH. Cut there, the text has no such lookahead left at that depth, and
        # the pass reports the project's own message at the exact place, whatever the PyYAML version.
        with contextlib.suppress(yaml.YAMLError):  # the cut text ends mid-document
            _count_events(text[:mark.index], shown)
        raise  # not expected: _syntax_diagnostic still words it as too deep


def _count_events(text: str, shown: str) -> None:
    depth = 0
    values = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            values += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise InvalidInput([Diagnostic(shown, mark.line + 1, mark.column + 1, "yaml_too_deep",
                                               f"the document nests more than {MAX_DEPTH} levels deep")])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
            values += 1
        if values > MAX_NODES:
            mark = event.start_mark
            raise InvalidInput([Diagnostic(shown, mark.line + 1, mark.column + 1, "yaml_too_large",
                                           f"the document holds more than {MAX_NODES} values")])


def _syntax_diagnostic(text: str, shown: str, exc: yaml.YAMLError) -> Diagnostic:
    """A located message for a YAML error. libyaml's wording is terser than PyYAML's, so on the
    (rare) error path PyYAML's event parser, which is iterative, is asked for its message: only for
    small texts, as its scanner is far slower and can be quadratic (it rechecks every pending key)."""
    problem = getattr(exc, "problem", None) or ""
    if "nesting depth" in problem:  # libyaml's own limit (1000 levels), met before the depth check's cut
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return Diagnostic(shown, line, column, "yaml_too_deep", f"the document nests more than {MAX_DEPTH} levels deep")
    if _BaseLoader is not yaml.SafeLoader and len(text) <= _REPARSE_MAX_CHARS:
        try:
            if isinstance(exc, yaml.composer.ComposerError):
                # composing happens only after the depth check passed, so PyYAML's recursion is bounded
                list(yaml.compose_all(text, Loader=yaml.SafeLoader))
            else:
                for _ in yaml.parse(text, Loader=yaml.SafeLoader):
                    pass
        except yaml.YAMLError as python_exc:
            exc = python_exc
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        line = before.count("\n") + 1
        column = exc.position - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return Diagnostic(shown, line, column, "yaml_syntax",
                          f"control character {ord(char):#04x} is not allowed in YAML text")
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        return Diagnostic(shown, line, column, "yaml_syntax", f"{problem}{context}")
    return Diagnostic(shown, 1, 1, "yaml_syntax", str(exc))  # pragma: no cover - every parser error has a mark


def _read_at_most(handle: BinaryIO, count: int) -> bytes:
    """Up to `count` bytes from an unbuffered file: fewer only at the end of the file (one read may give less)."""
    parts = []
    while count > 0:
        part = handle.read(count)
        if not part:
            break
        parts.append(part)
        count -= len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def read_yaml_file(path: Path) -> SourceDocument:
    shown = display_path(path)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InvalidInput([Diagnostic.at_file(shown, "not_a_file", "is a folder, expected a YAML file")])
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise InvalidInput([Diagnostic.at_file(shown, "not_a_file",
                                                   "is not a regular file (a pipe, device or socket)")])
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput([Diagnostic.at_file(
                shown, "file_too_large",
                f"the file is {size / 1024 / 1024:.1f} MiB; at most {MAX_FILE_BYTES // 1024 // 1024} MiB is read")])
        # Unbuffered: for a batch of thousands of small files a buffered reader's set-up (and its own size and
        # terminal checks, system calls of their own) cost more than the reading.
        with path.open("rb", buffering=0) as handle:
            # the size found, and a byte more in case the file grew since: asking for MAX_FILE_BYTES at once
            # allocates (and frees) that much for every file
            raw = _read_at_most(handle, size + 1)
            if len(raw) > size:
                raw += _read_at_most(handle, MAX_FILE_BYTES + 1 - len(raw))
    except InvalidInput:
        raise
    except OSError as exc:
        raise InvalidInput([Diagnostic.at_file(shown, "unreadable", exc.strerror or str(exc))]) from None
    return parse_yaml_text(_decode(raw, shown), path, shown)
