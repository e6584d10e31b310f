"""THE sanitiser: every text that came from a file someone gave us goes through here before it is shown.

Untrusted text is anything read from a user's files: a scenario's title, description and id, answer keys
and values echoed in messages, file and folder names, every text of a team's own rule base (titles,
questions, labels, reasoning), saved baseline reports echoed in diffs, drafts and study notes. Such text
can hold terminal escape sequences (window title, OSC 52 clipboard writes, screen clears, hyperlinks),
8-bit C1 controls, carriage returns that overwrite a line, bidi overrides that disguise what is read, rich
markup and Markdown/HTML. Data keeps the exact text (JSON reports, saved files); it is made safe where it is
shown: the renderers, diagnostics, the CLI's messages and the TUI's widgets.

The visible form
----------------
A character that could act on a terminal or disguise text is replaced by the escape Python writes for it
(the same form as repr() in the messages that already quote values):

* ``\\n``, ``\\t``, ``\\r`` for newline, tab and carriage return;
* ``\\xNN`` for the other C0 controls (U+0000-U+001F), DEL (U+007F) and the C1 controls (U+0080-U+009F):
  ESC shows as ``\\x1b``, BEL as ``\\x07``, the 8-bit CSI as ``\\x9b``;
* ``\\uNNNN`` for the bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the line and
  paragraph separators (U+2028, U+2029) and lone surrogates (U+D800-U+DFFF: a byte of a file name that is
  not UTF-8, which would otherwise reach the terminal as that raw byte, or fail to print);
* ``\\uNNNN`` (``\\UNNNNNNNN`` above U+FFFF) for the invisible format characters that disguise what is read
  without a bidi override: the bidi marks (U+061C, U+200E, U+200F), the zero-width space (U+200B), the
  word joiner and invisible operators (U+2060-U+2064), the deprecated format controls (U+206A-U+206F), the
  byte order mark (U+FEFF), the soft hyphen (U+00AD), the Mongolian vowel separator (U+180E) and the tag
  characters (U+E0000-U+E007F, which can carry hidden ASCII). The zero-width joiner and non-joiner
  (U+200C, U+200D) and variation selectors stay: scripts and emoji need them to read right.

The rest of an escape sequence is ordinary printable text, so ``ESC [2J`` shows as ``\\x1b[2J``: inert,
and the person still sees that something odd was there. A backslash is not itself escaped: ordinary text
(Windows paths, regular expressions) must come out unchanged, so a literal ``\\x1b`` typed in a title
looks the same as an ESC made visible. Both are harmless. Sanitising is idempotent.

Variants
--------
* `line`: one-line fields (titles, ids, labels, prompts, file names, diagnostics): newlines and tabs made
  visible too.
* `block`: prose that may span lines (descriptions, reasoning): newline and tab kept.
* `rich_text`: a rich `Text` of `line` or `block`, never parsed as markup (`[/]` and `[link=...]` stay
  literal). Pass these to rich and Textual instead of strings; `markup` escapes for the rare API that
  only takes markup strings.
* `md_line`, `md_block`, `md_cell`, `md_code`: text that lands in Markdown syntax (headings, emphasis,
  list items, table cells, code spans), so it cannot open HTML, links, images, autolinks, link reference
  definitions, or (at a line start) headings, fences and rules. Emphasis characters (``*``, ``_``) are left
  as written: they can only change emphasis, and escaping them would change ordinary text.
* `front_matter_value`: a scalar in the YAML front matter of a Markdown file.
* `json_text`: JSON text with the characters JSON leaves raw (DEL, C1, bidi controls, U+2028/U+2029)
  written as ``\\uNNNN`` escapes: the same data once parsed, nothing active on a terminal.

Everything returns its input unchanged (the same string) when there is nothing to escape, so ordinary
output stays byte-identical.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

_BIDI = "\u202a-\u202e\u2066-\u2069"
_SEPARATORS = "\u2028\u2029"
_SURROGATES = "\ud800-\udfff"
_INVISIBLE = "\u00ad\u061c\u180e\u200b\u200e\u200f\u2060-\u2064\u206a-\u206f\ufeff\U000e0000-\U000e007f"

_LINE_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}{_INVISIBLE}{_SEPARATORS}{_SURROGATES}]")
"""Single-line text: every control character, newline and tab included."""
_BLOCK_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_INVISIBLE}{_SEPARATORS}{_SURROGATES}]")
"""Multi-line text: the same less newline and tab."""
_JSON_RAW = re.compile(f"[\x7f-\x9f{_BIDI}{_INVISIBLE}{_SEPARATORS}]")
"""What JSON writers leave unescaped (they escape U+0000-U+001F themselves)."""
_JSON_RAW_OR_SURROGATE = re.compile(f"[\x7f-\x9f{_BIDI}{_INVISIBLE}{_SEPARATORS}{_SURROGATES}]")

_SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def visible(char: str) -> str:
    """The visible form of one character (see the module's docstring)."""
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _visible(match: re.Match[str]) -> str:
    return visible(match.group())


def line(text: str) -> str:
    """One-line text made safe: every control character, newlines and tabs included, shown escaped."""
    if _LINE_UNSAFE.search(text) is None:
        return text
    return _LINE_UNSAFE.sub(_visible, text)


def block(text: str) -> str:
    """Multi-line text made safe: newlines and tabs kept, every other control character shown escaped."""
    if _BLOCK_UNSAFE.search(text) is None:
        return text
    return _BLOCK_UNSAFE.sub(_visible, text)


def is_safe(text: str, *, multiline: bool = False) -> bool:
    """Whether `text` would come out of `line` (or `block`) unchanged."""
    return (_BLOCK_UNSAFE if multiline else _LINE_UNSAFE).search(text) is None


# ---- rich and Textual ------------------------------------------------------------------------------------
def rich_text(text: str, style: str = "", *, multiline: bool = False) -> Text:
    """A rich Text holding the safe text: never parsed as markup, so `[/]` or `[link=...]` stay literal."""
    from rich.text import Text

    return Text(block(text) if multiline else line(text), style=style)


def markup(text: str, *, multiline: bool = False) -> str:
    """Safe text to put into a markup string (rich's or Textual's, which escape alike), for the APIs that
    take nothing else; prefer `rich_text` wherever a Text is accepted."""
    from rich.markup import escape

    return escape(block(text) if multiline else line(text))


# ---- Markdown --------------------------------------------------------------------------------------------
_MD_INLINE = re.compile(r"<(?=[A-Za-z/!?])|\](?=[(\[])")
"""HTML tags, comments and autolinks (`<` then a letter, /, ! or ?); inline links and images (`](`) and
reference links (`][`)."""
_MD_LINE_START = re.compile(r"^( {0,3})(#|\[|```|~~~|(?:[-*_] *){3,}$|[-=]+ *$)", re.MULTILINE)
"""Constructs that only work at the start of a line: ATX headings, link reference definitions, code
fences, thematic breaks and setext heading underlines."""


def _md_escape(text: str) -> str:
    if "<" in text or "]" in text:
        text = _MD_INLINE.sub(lambda m: "\\" + m.group(), text)
    if text[:4].lstrip(" ")[:1] in ("#", "[", "`", "~", "-", "=", "*", "_") or "\n" in text:
        text = _MD_LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)
    return text


def md_line(text: str) -> str:
    """One-line text for Markdown (a heading, emphasis, a list item): `line`, and no HTML, link or image
    can start in it. Its start is treated as a line start (it may open a heading or list item)."""
    return _md_escape(line(text))


def md_block(text: str) -> str:
    """Multi-line text for Markdown (a paragraph): `block`, no HTML, link or image, and no line of it
    starts a heading, code fence, rule or link definition."""
    return _md_escape(block(text))


def md_cell(text: str) -> str:
    """Text for a Markdown table cell: one line (a newline becomes a space, as before), `|` escaped."""
    return md_line(text.replace("\n", " ")).replace("|", "\\|")


def md_code(text: str) -> str:
    """A Markdown code span holding `line(text)`: backticks inside get a longer fence (CommonMark)."""
    safe = line(text)
    if "`" not in safe:
        return f"`{safe}`"
    longest = max(len(run) for run in re.findall(r"`+", safe))
    fence = "`" * (longest + 1)
    return f"{fence} {safe} {fence}"


_PLAIN_SCALAR = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def front_matter_value(text: str) -> str:
    """A value for YAML front matter: as written when it is a plain id, else a double-quoted scalar with
    every character outside printable ASCII escaped (so it cannot end the line or the block)."""
    if _PLAIN_SCALAR.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=True)


# ---- Mermaid ---------------------------------------------------------------------------------------------
_MERMAID_UNSAFE = re.compile(r"[^A-Za-z0-9 .,:;()/+_-]")


def mermaid_label(text: str) -> str:
    """Text for a quoted Mermaid node label (`id["..."]`): `line(text)`, then every character outside
    letters, digits, spaces and `.,:;()/+_-` written as a Mermaid entity code (`#34;` for a quote), so no
    quote, bracket, pipe, backtick, newline, HTML tag or fence can end the label, the node or the block."""
    return _MERMAID_UNSAFE.sub(lambda m: f"#{ord(m.group())};", line(text))


def mermaid_id(text: str) -> str:
    """A Mermaid node id made of [a-z0-9_] only (anything else becomes _)."""
    return re.sub(r"[^a-z0-9_]", "_", text.lower()) or "_"


# ---- JSON ------------------------------------------------------------------------------------------------
_BLOCK = 1024


def _may_hold(pattern: re.Pattern[str], text: str) -> bool:
    """pattern.search(text) is not None, for patterns of DEL and non-ASCII characters only, about 4 times faster on
    a report: the regular expression engine reads a character in about 10 ns, while str.isascii() skips a
    block of ASCII in C (a report is mostly ASCII, with a few arrows or signs)."""
    if "\x7f" in text:  # DEL is the one ASCII character of these patterns
        return True
    if text.isascii():
        return False
    search = pattern.search
    return any(search(text, i, i + _BLOCK) is not None
               for i in range(0, len(text), _BLOCK) if not text[i:i + _BLOCK].isascii())


def json_text(text: str, *, surrogates: bool = False) -> str:
    """JSON text with DEL, the C1 controls, bidi controls, invisible format characters and U+2028/U+2029
    (and with `surrogates`, lone surrogates, which json.dumps leaves raw) written as \\uNNNN escapes.

    JSON writers escape U+0000-U+001F and leave these raw; they can only occur inside strings, so the
    escaped text parses to exactly the same data."""
    pattern = _JSON_RAW_OR_SURROGATE if surrogates else _JSON_RAW
    if not _may_hold(pattern, text):
        return text
    return pattern.sub(_json_escape, text)


_JSON_RAW_CODES = (*range(0x7F, 0xA0), 0xAD, 0x61C, 0x180E, 0x200B, 0x200E, 0x200F, *range(0x2028, 0x202F),
                   *range(0x2060, 0x2065), *range(0x2066, 0x2070), 0xFEFF, *range(0xE0000, 0xE0080))
"""The characters `_JSON_RAW` matches, as code points (tests/test_json_bytes.py checks they are the same)."""


def _utf8_forms(codes: tuple[int, ...]) -> tuple[tuple[bytes, int, frozenset[bytes]], ...]:
    """(first byte, length of the rest, every rest) of the characters' UTF-8 forms, grouped by first byte."""
    rests: dict[bytes, set[bytes]] = {}
    for code in codes:
        form = chr(code).encode()
        rests.setdefault(form[:1], set()).add(form[1:])
    return tuple((lead, len(next(iter(rest))), frozenset(rest)) for lead, rest in rests.items())


_JSON_RAW_UTF8 = _utf8_forms(_JSON_RAW_CODES)


def json_utf8_is_safe(data: bytes) -> bool:
    """Whether UTF-8 JSON text holds none of the characters `json_text` escapes, so that json_text would give
    its text back unchanged; found without decoding it. Each such character starts with one of seven bytes
    (DEL, C2, D8, E1, E2, EF, F3), looked for with a memchr-fast search; the bytes after each occurrence tell
    it from ordinary text (E2 also begins arrows, dashes and quotes; C2 the no-break space and the degree sign)."""
    if data.isascii():
        return b"\x7f" not in data
    find = data.find
    for lead, size, rests in _JSON_RAW_UTF8:
        at = find(lead)
        while at >= 0:
            if data[at + 1:at + 1 + size] in rests:
                return False
            at = find(lead, at + 1)
    return True


def _json_escape(match: re.Match[str]) -> str:
    """The JSON escape of one character: \\uNNNN, or the UTF-16 surrogate pair above U+FFFF."""
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
