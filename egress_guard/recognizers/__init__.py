"""Presidio recognizers for Korean identifiers, added to the English registry.

Presidio ships a resident-registration-number recognizer for language "ko" only; the
campus scans with the English pipeline, so these are registered for "en" explicitly.
"""

from egress_guard.recognizers.kr_brn import KrBrnRecognizer
from egress_guard.recognizers.kr_name import KoreanNameRecognizer
from egress_guard.recognizers.kr_phone import KrPhoneRecognizer

__all__ = ["KoreanNameRecognizer", "KrBrnRecognizer", "KrPhoneRecognizer"]
