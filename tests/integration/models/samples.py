"""Texts and expected vectors shared by the embedder tests."""

import json
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).parent / "fixtures"

# Hand-written abstracts for the semantic sanity checks.
GNN_CHEMISTRY = (
    "Message passing neural networks learn representations of molecules directly from their "
    "graphs of atoms and bonds. We train a graph neural network to predict quantum-chemical "
    "properties and binding affinities, outperforming hand-crafted molecular fingerprints."
)
SPEECH = (
    "We present an end-to-end automatic speech recognition system that maps audio spectrograms "
    "to characters with a recurrent encoder and connectionist temporal classification, reducing "
    "word error rate on conversational telephone speech."
)


def expected(name: str) -> tuple[list[str], np.ndarray]:
    """The texts and vectors of a fixture written by scripts/build_*.py."""
    rows = json.loads((FIXTURES / name).read_text())["rows"]
    return [row["text"] for row in rows], np.array([row["vector"] for row in rows], np.float32)
