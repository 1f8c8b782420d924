"""The block-model generators build graphs of millions of nodes (their cost grows with the edges)."""

import pytest

from gtvviz.data import generate
from gtvviz.data.generators import generate_from_source
from gtvviz.data.limits import MAX_GENERATED_NODES

pytestmark = pytest.mark.slow


def test_two_million_nodes_from_the_library_and_a_source_string() -> None:
    assert MAX_GENERATED_NODES >= 2_000_000
    graph = generate("csbm", n=2_000_000, blocks=8, degree=1.0, homophily=0.8, features=0, seed=0)
    assert graph.num_nodes == 2_000_000
    assert 1.9e6 < graph.edge_index.size(1) < 2.1e6  # expected degree 1: about N directed entries
    same = generate_from_source("csbm:n=2000000,blocks=8,degree=1.0,homophily=0.8,features=0,seed=0")
    assert same.num_nodes == graph.num_nodes and bool((same.edge_index == graph.edge_index).all())


def test_word_sbm_and_sbm_take_million_node_blocks() -> None:
    words = generate("word_sbm", blocks=2, size=1_000_000, p_in=1e-6, p_out=1e-7, words=4, signal=1.0, seed=0)
    assert words.num_nodes == 2_000_000 and words.x.shape == (2_000_000, 4)
    blocks = generate("sbm", sizes=(1_000_000, 1_000_000), p_in=1e-6, p_out=1e-7, snr=1.0, features=0, seed=0)
    assert blocks.num_nodes == 2_000_000 and blocks.edge_index.size(1) > 0
