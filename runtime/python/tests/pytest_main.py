"""Runs this directory's pytest suite; the entry point of the Bazel py_test."""
import os
import sys

import pytest

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", here] + sys.argv[1:]))
