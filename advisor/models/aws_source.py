"""A pointer into AWS documentation, and a record of where the notes are out of date."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from advisor.models.base import Strict
from advisor.models.citation import Citation

AwsUrl = Annotated[
    str,
    Field(
        pattern=r"^https://(docs\.aws\.amazon\.com|aws\.amazon\.com)/[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+$",
        max_length=400,
        description="A page on the AWS documentation site (https://docs.aws.amazon.com/...) or aws.amazon.com.",
    ),
]


class AwsSource(Strict):
    """An AWS documentation page that backs a claim, read before it was cited."""

    url: AwsUrl
    """The page's address on docs.aws.amazon.com (or aws.amazon.com for FAQs and decision guides)."""
    title: Annotated[str, Field(min_length=3, max_length=200)]
    """The page title as AWS spells it."""
    read: Annotated[str, Field(pattern=r"^20[2-9][0-9]-(0[1-9]|1[0-2])$")]
    """The month the page was read, YYYY-MM: figures on AWS pages change, this dates our reading."""

    def render(self) -> str:
        return f"AWS: {self.title} <{self.url}> (read {self.read})"


class Freshness(Strict):
    """Where the study notes state a limit or behaviour that AWS has since changed."""

    notes_say: Annotated[str, Field(min_length=5, max_length=400)]
    """What the notes say, in our words (e.g. 'Kinesis records are at most 1 MB')."""
    aws_says: Annotated[str, Field(min_length=5, max_length=400)]
    """What current AWS documentation says, in our words."""
    source: AwsUrl
    """The url of one of the rule's `sources` that says so."""


def check_sources(citations: list[Citation], sources: list[AwsSource], freshness: list[Freshness]) -> None:
    """A claim needs a notes citation or an AWS source; a freshness record names one of its sources."""
    if not citations and not sources:
        raise ValueError("needs at least one notes citation (citations) or one AWS source (sources)")
    urls = [s.url for s in sources]
    dupes = sorted({u for u in urls if urls.count(u) > 1})
    if dupes:
        raise ValueError(f"AWS source listed twice: {dupes[0]}")
    for record in freshness:
        if record.source not in urls:
            raise ValueError(f"freshness source {record.source} is not one of this entry's sources")
    if freshness and not citations:
        raise ValueError("a freshness record compares with the notes: cite the notes passage it corrects")
