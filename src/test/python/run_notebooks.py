#!/usr/bin/env python3
"""Test helper: executes notebooks top to bottom in a real Jupyter kernel (nbclient + ipykernel), as a researcher's
Jupyter would, after checking that the repository keeps them without outputs. The kernel inherits the environment
(HEADGEO_SOURCE, HEADGEO_TOKEN, HEADGEO_RUNS, ...); HEADGEO_NOTEBOOK_OUT, when set, receives the executed copies.
Prints one JSON line: per notebook the cells run and the kinds of output they gave; exit 1 with the failing cell's
error otherwise.

    run_notebooks.py NOTEBOOK.ipynb [...]
"""

import json
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def stripped(book):
    """Problems that make a notebook not 'outputs stripped'."""
    problems = []
    for i, cell in enumerate(book.cells):
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
            problems.append(f"cell {i} keeps outputs or an execution count")
    return problems


def main():
    summary = {}
    for path in sys.argv[1:]:
        book = nbformat.read(path, as_version=4)
        problems = stripped(book)
        if problems:
            print(f"{path}: {'; '.join(problems)} (strip them before committing)", file=sys.stderr)
            return 1
        client = NotebookClient(
            book, timeout=180, kernel_name="python3", resources={"metadata": {"path": os.path.dirname(path)}}
        )
        try:
            client.execute()
        except CellExecutionError as e:
            print(f"{path}: {e}", file=sys.stderr)
            return 1
        keep = os.environ.get("HEADGEO_NOTEBOOK_OUT")
        if keep:  # the executed copy, to look at its charts
            os.makedirs(keep, exist_ok=True)
            nbformat.write(book, os.path.join(keep, os.path.basename(path)))
        kinds = {}
        for cell in book.cells:
            for output in cell.get("outputs", []):
                for kind in output.get("data", {}):
                    kinds[kind] = kinds.get(kind, 0) + 1
        summary[os.path.basename(path)] = {"cells": sum(c.cell_type == "code" for c in book.cells), "outputs": kinds}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
