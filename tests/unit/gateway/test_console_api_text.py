"""The services' English sentences read in Chinese on a Chinese page: whole, with their figures, and when
several are joined in one reason; anything unknown is shown exactly as the service wrote it."""

from __future__ import annotations

import pytest
from flask import session

from gateway.console.api_text import api_text


@pytest.fixture
def chinese(console_app):
    with console_app.test_request_context():
        yield


def test_a_progress_reason_reads_in_chinese(chinese):
    assert api_text("the ledger could not compute it") == "台账无法计算该值"
    assert (
        api_text("no figure for 2024, 2025: the period total is unknown") == "2024, 2025 年无数据：整个时期的合计未知"
    )
    assert "大气污染物" in api_text(
        "ParkLoop does not measure this indicator: the ledger records no air pollutant reductions"
    )


def test_joined_reasons_read_sentence_by_sentence_even_when_a_sentence_holds_a_semicolon(chinese):
    joined = (
        "the delivery does not say it replaces fresh or municipal water; "
        "no verified factor for substituting clinker; not computed; something new"
    )
    read = api_text(joined).split("；")
    assert len(read) == 3
    assert "clinker" in read[1] and "not computed" not in read[1] and read[1] != joined
    assert read[2] == "something new"  # unknown to the console: kept as written


def test_a_count_of_unknown_deliveries_reads_its_reasons_too(chinese):
    read = api_text("2 of 3 deliveries unknown: the delivery does not say it replaces fresh or municipal water")
    assert read.startswith("3 次交付中 2 次未知：")
    assert "fresh" not in read


def test_english_pages_and_unknown_sentences_keep_the_services_words(chinese):
    session["lang"] = "en"
    assert api_text("the ledger could not compute it") == "the ledger could not compute it"
    assert api_text("a sentence the console does not know") == "a sentence the console does not know"
    assert api_text(None) == ""
