"""`bazel run` paths: relative --out and --data-dir mean the user's directory."""
import argparse

from rules_neural import cli


def test_relative_paths_follow_build_working_directory():
    args = argparse.Namespace(out="out", data_dir="data")
    cli.resolve_paths(args, "/home/u/project")
    assert args.out == "/home/u/project/out"
    assert args.data_dir == "/home/u/project/data"


def test_absolute_and_unset_paths_are_kept():
    args = argparse.Namespace(out="/tmp/o", data_dir=None)
    cli.resolve_paths(args, "/home/u/project")
    assert args.out == "/tmp/o" and args.data_dir is None
    args = argparse.Namespace(out="out", data_dir="d")
    cli.resolve_paths(args, None)
    assert args.out == "out" and args.data_dir == "d"


def test_parse_resolves_for_every_entry_point(monkeypatch):
    # Training and search entry points both parse through cli.parse.
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="out")
    parser.add_argument("--data-dir")
    monkeypatch.setenv("BUILD_WORKING_DIRECTORY", "/home/u/project")
    args, code = cli.parse(parser, ["--data-dir", "data"])
    assert code is None
    assert args.out == "/home/u/project/out" and args.data_dir == "/home/u/project/data"
