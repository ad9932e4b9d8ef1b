"""ReadResult and ReadError are records: picklable, comparable, printable like before."""

from __future__ import annotations

import pickle

from stopsignal.readers import ReadError, ReadResult, read_path, read_text


def test_results_pickle_with_and_without_comments() -> None:
    failed = read_path("/nonexistent/stopsignal.yaml")  # default comments
    read = read_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                     "  - name: c  # stopsignal: ignore=shell-pid1\n    image: busybox\n",
                     "p.yaml")
    for result in (failed, read):
        assert pickle.loads(pickle.dumps(result)) == result
    assert failed.comments == {} and read.comments == {6: "stopsignal: ignore=shell-pid1"}


def test_read_error_text_and_fields() -> None:
    error = ReadError("a.yaml", 3, 7, "invalid YAML")
    assert str(error) == "a.yaml:3:7: invalid YAML"
    assert (error.path, error.line, error.column, error.message) == ("a.yaml", 3, 7,
                                                                      "invalid YAML")
    assert ReadResult("a.yaml").errors == () and ReadResult("a.yaml").kind is None
