"""The API fuzz run, share 2 of `fuzz_support.SHARES` (tests/fuzz_share.py)."""

from tests.fuzz_share import share_tests

fuzz, test_operation, test_the_share_was_fuzzed_and_nothing_left_the_machine = share_tests(1)
