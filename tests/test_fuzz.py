"""A short run of the wire fuzzer (tests/wirefuzz.py; `make fuzz` runs a long one against a hub process).

The hub promises that bad input gets a typed error and never closes a connection except as
docs/protocol.md §2 and §9 say (1009 for a frame over 4 MiB, nothing else), refused sign-ins
included (its links sign in with accounts of tests/hubkit.py's roster); the
client promises to skip a frame it cannot decode.  A few thousand mutated frames each way hold both to
it; a failure lists every finding with the frame that reproduces it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import wirefuzz
from tests.hubkit import running_hub

SEED = 20_251_114
CORPUS_PER_TYPE = 16  # drawn once, then cached in .pytest_cache
HUB_FRAMES = 3000
DECODER_FRAMES = 4000


@pytest.fixture(scope="module")
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> wirefuzz.Corpus:
    cache = getattr(request.config, "cache", None)
    folder: Path = cache.mkdir("wirefuzz") if cache is not None else tmp_path_factory.mktemp("wirefuzz")
    return wirefuzz.build_corpus(CORPUS_PER_TYPE, SEED, folder, say=lambda _: None)


async def test_bad_frames_close_no_connection_and_leave_the_hub_answering(
    sqlite_url: str, corpus: wirefuzz.Corpus
) -> None:
    with wirefuzz.LogCatcher() as logged:
        async with running_hub(sqlite_url) as (_hub, url):
            report = await wirefuzz.fuzz_hub(
                url, corpus, frames=HUB_FRAMES, seed=SEED, connections=4, oversize_every=500
            )
    report.hub_log = logged.seen
    details = "\n".join([report.summary(), "findings:", *report.findings()])
    assert report.frames == HUB_FRAMES, details
    assert report.closes["1009 after oversize"] >= 4, details  # every link sent one, and was closed for it
    assert report.alive, details
    assert not report.findings(), details
    # The corpus gets past the checks too: workflow steps taken, and fuzzed sign-ins refused.
    assert report.answers["result"] > 0, details
    assert report.answers["error:bad_credentials"] + report.answers["error:bad_token"] > 0, details


def test_the_client_skips_bad_frames_and_its_decoder_raises_only_protocol_error(
    corpus: wirefuzz.Corpus,
) -> None:
    report = wirefuzz.fuzz_decoder(corpus, frames=DECODER_FRAMES, seed=SEED)
    assert report.frames > DECODER_FRAMES * 0.9  # a few non-UTF-8 text frames never reach a decoder
    assert not report.findings, "\n".join([report.summary(), *report.listing()])
