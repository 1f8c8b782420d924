"""Malformed and hostile input: always a GraphFormatError (or ConfigError) with a helpful message, never
another exception; pickles are never run; XML entities are never expanded; only named paths are read."""

from __future__ import annotations

import io
import pickle
import random
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from gtvviz.data import FORMATS, inputs, load_graph, load_graph_bytes, save_graph
from gtvviz.errors import ConfigError, GraphFormatError, GtvvizError
from gtvviz.graph import MAX_NODES

GOOD_EDGES = b"source,target\na,b\nb,c\n"


def _npz(**arrays: object) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _adjacency(**extra: object) -> dict[str, object]:
    """A valid 3-node path in the gnn-benchmark layout, with ``extra`` arrays replacing or adding some."""
    return {"adj_data": np.ones(4, np.float32), "adj_indices": np.array([1, 0, 2, 1]),
            "adj_indptr": np.array([0, 1, 3, 4]), "adj_shape": np.array([3, 3]), **extra}


def _pt(obj: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def _data(**fields: object) -> object:
    from torch_geometric.data import Data

    return Data(**fields)


_XXE = (b'<?xml version="1.0"?>\n<!DOCTYPE graphml [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>\n'
        b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><key id="d0" for="node" attr.name="y" '
        b'attr.type="string"/><graph edgedefault="undirected"><node id="a"><data key="d0">&xxe;</data></node>'
        b'<node id="b"/><edge source="a" target="b"/></graph></graphml>')
_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
           b'<graphml><graph><node id="&lol2;"/></graph></graphml>')

#: (file name, contents, load options, a fragment the message must contain)
CASES = [
    ("empty.csv", b"", {}, "empty"),
    ("blank.csv", b" \n\n \n", {}, "empty"),
    ("header_only.csv", b"source,target\n", {}, "no edges"),
    ("no_target.csv", b"source,weight\n1,2\n", {}, "lacks the column 'target'"),
    ("semicolons.csv", b"source;target\n1;2\n", {}, "separated by another character"),
    ("ragged.csv", b"source,target\n1,2\n3\n", {}, "line 3 has 1 fields"),
    ("word_weight.csv", b"source,target,weight\n1,2,heavy\n", {}, "line 2, field 'weight' must be a number"),
    ("negative_weight.csv", b"source,target,weight\n1,2,-1\n", {}, "line 2, field 'weight' is -1"),
    ("nan_weight.csv", b"source,target,weight\n1,2,nan\n", {}, "finite"),
    ("inf_weight.csv", b"source,target,weight\n1,2,1e999\n", {}, "finite"),
    ("empty_id.csv", b"source,target\n,2\n", {}, "line 2, field 'source' is empty"),
    ("extra_column.csv", b"source,target,colour\n1,2,red\n", {}, "unknown column 'colour'"),
    ("twice.csv", b"source,source,target\n1,2,3\n", {}, "names the column 'source' twice"),
    ("latin1.csv", b"source,target\n\xe9,b\n", {}, "not UTF-8"),
    ("binary.tsv", b"source\ttarget\n\x00\x01\t2\n", {}, "NUL"),
    ("nan_feature.csv", GOOD_EDGES, {"nodes": b"id,age,size\na,1,2\nb,3,nan\nc,5,6\n"},
     "node 'b' has the non-finite value nan in feature column 'size'"),
    ("blank_feature.csv", GOOD_EDGES, {"nodes": b"id,age\na,1\nb,\nc,5\n"}, "node 'b'"),
    ("word_feature.csv", GOOD_EDGES, {"nodes": b"id,age\na,1\nb,old\nc,5\n"}, "line 3, column 'age'"),
    ("no_id_column.csv", GOOD_EDGES, {"nodes": b"name,age\na,1\n"}, "lacks the column 'id'"),
    ("unknown_node.csv", GOOD_EDGES, {"nodes": b"id\na\nb\n"}, "'c', which is not in the node table"),
    ("repeated_node.csv", GOOD_EDGES, {"nodes": b"id\na\nb\nc\na\n"}, "line 5 repeats the node id 'a' of line 2"),
    ("half_position.csv", GOOD_EDGES, {"nodes": b"id,pos_x\na,1\nb,2\nc,3\n"}, "pos_x and pos_y must come together"),
    ("ragged_list.csv", GOOD_EDGES, {"nodes": b'id,x\na,1 2\nb,3\nc,4 5\n'}, "different lengths"),
    ("bad_label.csv", GOOD_EDGES, {"nodes": b"id,label\na,0\nb,-7\nc,1\n"}, "label -7"),
    ("truncated.json", b'{"nodes": [', {}, "not valid JSON"),
    ("deep.json", b"[" * 100_000, {}, "JSON"),
    ("list.json", b"[]", {}, "must be an object"),
    ("no_nodes.json", b'{"links": []}', {}, "lacks the key 'nodes'"),
    ("no_links.json", b'{"nodes": []}', {}, "lacks the key 'links'"),
    ("path_as_nodes.json", b'{"nodes": "/etc/passwd", "links": []}', {}, "must hold a list"),
    ("no_id.json", b'{"nodes": [{"name": 1}], "links": []}', {}, "nodes[0] is not an object with an 'id'"),
    ("dangling.json", b'{"nodes": [{"id": 0}], "links": [{"source": 0, "target": 9}]}', {}, "links[0].target"),
    ("string_feature.json", b'{"nodes": [{"id": 0, "x": ["a"]}], "links": []}', {}, "feature 0 of node '0'"),
    ("nan_feature.json", b'{"nodes": [{"id": 0, "x": [NaN]}], "links": []}', {}, "feature column 'x_0'"),
    ("negative.json", b'{"nodes": [{"id": 0}, {"id": 1}], "links": [{"source": 0, "target": 1, "weight": -2}]}',
     {}, "the weight of edge '0'-'1' is -2"),
    ("directed_word.json", b'{"directed": "yes", "nodes": [], "links": []}', {}, "'directed' must be true"),
    ("no_nodes_at_all.json", b'{"nodes": [], "links": []}', {}, "contains no nodes"),
    ("broken.graphml", b"<graphml><graph>", {}, "not valid GraphML"),
    ("xxe.graphml", _XXE, {}, "DOCTYPE or ENTITY"),
    ("xxe.gexf", _XXE.replace(b"graphml", b"gexf"), {}, "DOCTYPE or ENTITY"),
    ("laughs.graphml", _LAUGHS, {}, "DOCTYPE or ENTITY"),
    ("utf16.graphml", _XXE.decode().encode("utf-16"), {}, "NUL"),
    ("word_weight.graphml", b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><key id="w" for="edge" '
     b'attr.name="weight" attr.type="string"/><graph edgedefault="undirected"><node id="a"/><node id="b"/>'
     b'<edge source="a" target="b"><data key="w">heavy</data></edge></graph></graphml>', {},
     "the weight of edge 'a'-'b' must be a number"),
    ("unknown_key.graphml", b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="undirected">'
     b'<node id="a"><data key="nope">1</data></node></graph></graphml>', {}, "not valid GraphML"),
    ("unclosed.gml", b"graph [ node [ id 0 ]", {}, "not valid GML"),
    ("repeated.gml", b"graph [ node [ id 0 ] node [ id 0 ] ]", {}, "not valid GML"),
    ("not_square.mtx", b"%%MatrixMarket matrix coordinate real general\n3 4 1\n1 2 1\n", {}, "must be square"),
    ("complex.mtx", b"%%MatrixMarket matrix coordinate complex general\n2 2 1\n1 2 1 1\n", {}, "complex"),
    ("headless.mtx", b"2 2 1\n1 2 1\n", {}, "%%MatrixMarket"),
    ("negative.mtx", b"%%MatrixMarket matrix coordinate real general\n2 2 1\n1 2 -3\n", {},
     "the entry at row 1, column 2 is -3"),
    ("huge.mtx", b"%%MatrixMarket matrix coordinate pattern general\n99999999999 99999999999 1\n1 2\n", {},
     "over the limit"),
    ("out_of_range.mtx", b"%%MatrixMarket matrix coordinate pattern general\n3 3 1\n5 1\n", {},
     "line 3 (5 1) has a row or column outside 1..3"),
    ("lying.mtx", b"%%MatrixMarket matrix coordinate pattern general\n9 9 90000000\n1 2\n", {},
     "more than the file can hold"),
    ("dense.mtx", b"%%MatrixMarket matrix array real general\n100000 100000\n1\n", {}, "coordinate format"),
    ("skew.mtx", b"%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 1 1\n", {}, "skew-symmetric"),
    ("truncated.mtx", b"%%MatrixMarket matrix coordinate real symmetric\n3 3 2\n2 1 1\n3 2 1E", {},
     "line 4 (3 2 1E) must hold 3 numbers"),
    ("missing_entries.mtx", b"%%MatrixMarket matrix coordinate real general\n3 3 5\n2 1 1\n3 2 1\n" + b"%" * 20,
     {}, "declares 5 entries but 2 entry lines follow"),
    ("no_size.mtx", b"%%MatrixMarket matrix coordinate pattern general\n", {}, "size line"),
    ("random.npz", b"PK\x03\x04 definitely not a zip", {}, "not a NumPy .npz archive"),
    ("missing_key.npz", _npz(adj_data=np.ones(1), adj_indices=np.zeros(1, int), adj_shape=np.array([1, 1])),
     {}, "lacks the array 'adj_indptr'"),
    ("bad_indices.npz", _npz(**_adjacency(adj_indices=np.array([1, 0, 7, 1]))), {}, "valid 3 x 3 CSR matrix"),
    ("huge_shape.npz", _npz(**_adjacency(adj_shape=np.array([MAX_NODES + 1] * 2))), {}, "over the limit"),
    ("short_labels.npz", _npz(**_adjacency(labels=np.array([0, 1]))), {}, "the array 'labels' has shape (2,)"),
    ("nan_attr.npz", _npz(**_adjacency(attr_matrix=np.array([[1.0], [np.nan], [0.0]]))), {},
     "node '1' has the non-finite value nan"),
    ("huge_attr.npz", _npz(**_adjacency(attr_data=np.ones(1), attr_indices=np.zeros(1, int),
                                        attr_indptr=np.array([0, 1, 1, 1]), attr_shape=np.array([3, 10**9]))),
     {}, "features per node"),
    ("many_attr.npz", _npz(**_adjacency(attr_data=np.ones(1), attr_indices=np.zeros(1, int),
                                        attr_indptr=np.array([0, 1, 1, 1]), attr_shape=np.array([60_000, 6_000]))),
     {}, "feature matrix"),
    ("one_array.npz", np.lib.format.__name__ and b"\x93NUMPY\x01\x00v\x00" + b"{'descr': '<f8', 'fortran_order': "
     b"False, 'shape': (0,), }".ljust(117) + b"\n", {}, "single array"),
    ("garbage.pt", b"not a torch file at all", {}, "not a file written by torch.save"),
    ("list.pt", _pt([torch.zeros(2)]), {}, "holds a list, not a PyG Data"),
    ("nan.pt", _pt(_data(edge_index=torch.tensor([[0], [1]]), x=torch.tensor([[1.0], [float("nan")]]))), {},
     "non-finite"),
    ("out_of_range.pt", _pt(_data(edge_index=torch.tensor([[0], [5]]), num_nodes=2)), {}, "outside 0..1"),
    ("float_edges.pt", _pt(_data(edge_index=torch.tensor([[0.0], [1.0]]), num_nodes=2)), {}, "integer tensor"),
    ("graph.xyz", GOOD_EDGES, {}, "cannot tell the graph format from the extension '.xyz'"),
    ("no_extension", GOOD_EDGES, {}, "'(none)'"),
]


@pytest.mark.parametrize(("filename", "content", "options", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_malformed_input_raises_one_clear_graph_format_error(filename: str, content: bytes, options: dict,
                                                             fragment: str) -> None:
    with pytest.raises(GraphFormatError) as info:
        load_graph_bytes(content, filename, **options)
    message = str(info.value)
    assert fragment in message
    assert filename in message or "format" in message
    assert "\n" not in message and message.endswith(".") and len(message) < 400


#: Impossible settings: (source, a fragment of the message).
CONFIG_CASES = [
    ("sbm:p_in=2", "p_in must be between 0 and 1, got 2"),
    ("sbm:colour=1", "sbm has no parameter 'colour'"),
    ("sbm:sizes=a-b", "sizes must be integers joined by -"),
    ("sbm:seed=1.5", "seed must be an integer"),
    ("sbm:p_in=nan", "p_in must be a finite number"),
    ("sbm:snr=inf", "snr must be a finite number"),
    ("sbm:p_in=0.1,p_in=0.2", "given twice"),
    ("sbm:p_in", "is not key=value"),
    ("sbm:sizes=1/2", "may only use letters"),
    ("sbm:sizes=50000-50000,p_in=1", "over the generator limit"),
    ("csbm:n=10,blocks=2,degree=50", "edge probability of"),
    ("csbm:n=10,blocks=6", "at least 2 nodes per block"),
    ("lfr:n=20,average_degree=5,min_community=5", "did not converge"),
    ("lfr:n=100,min_community=60", "at most half the nodes"),
    ("bridged:size=3,bridges=10", "at most 9 bridges"),
    ("pyg:NoSuchSet", "Unknown PyG dataset"),
    ("nosuchkind:a=1", "Unknown graph source kind 'nosuchkind'"),
    ("cora", "write 'pyg:Cora'"),
]


@pytest.mark.parametrize(("source", "fragment"), CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES])
def test_impossible_generator_settings_raise_config_error(source: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=None) as info:
        load_graph(source)
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_unknown_format_and_option_are_refused() -> None:
    with pytest.raises(GraphFormatError, match="Unknown graph format 'yaml'"):
        load_graph(io.BytesIO(GOOD_EDGES), format="yaml")
    with pytest.raises(ConfigError, match="no option 'nodes'; it takes no options"):
        load_graph_bytes(b"{}", "g.json", nodes=b"id\n")
    with pytest.raises(ConfigError, match="apply to files only"):
        load_graph("karate", nodes="x.csv")


def test_missing_paths_and_folders(tmp_path: Path) -> None:
    with pytest.raises(GraphFormatError, match="no such file"):
        load_graph(tmp_path / "missing.csv")
    with pytest.raises(GraphFormatError, match="is a folder"):
        load_graph(tmp_path)
    with pytest.raises(GraphFormatError, match="no such file"):
        load_graph_bytes(GOOD_EDGES, "e.csv", nodes=tmp_path / "missing_nodes.csv")


def test_uploads_over_the_size_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "MAX_UPLOAD_BYTES", 64)
    with pytest.raises(GraphFormatError, match="larger than the limit"):
        load_graph(io.BytesIO(b"source,target\n" + b"1,2\n" * 100), format="csv")
    with pytest.raises(GraphFormatError, match="larger than the limit"):
        load_graph_bytes(b"source,target\n" + b"1,2\n" * 100, "big.csv")


def test_urls_may_not_name_files(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_bytes(GOOD_EDGES)
    with pytest.raises(ConfigError, match="not a sample"):
        load_graph(str(tmp_path / "e.csv"), allow_paths=False)
    with pytest.raises(ConfigError, match="not file paths"):
        load_graph(tmp_path / "e.csv", format="csv", allow_paths=False)
    assert load_graph("karate", allow_paths=False).num_nodes == 34


class _Payload:
    """Unpickling this object would create the file ``marker``: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (open, (str(self.marker), "w"))


def test_the_payload_really_runs_code_when_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(_Payload(marker)))
    assert marker.exists()  # so the tests below would notice if a loader unpickled it


@pytest.mark.parametrize("container", ["pt", "pt_in_data", "npz", "raw_pickle_npz", "raw_pickle_pt"])
def test_pickles_are_never_loaded(container: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    payload = _Payload(marker)
    content = {
        "pt": lambda: _pt(payload),
        "pt_in_data": lambda: _pt(_data(edge_index=torch.tensor([[0], [1]]), evil=payload)),
        "npz": lambda: _npz(**_adjacency(labels=np.array([payload, payload, payload], dtype=object))),
        "raw_pickle_npz": lambda: pickle.dumps(payload),
        "raw_pickle_pt": lambda: pickle.dumps(payload),
    }[container]()
    path = tmp_path / f"evil.{container.rsplit('_', 1)[-1] if container.startswith('raw') else container[:3]}"
    path = path.with_suffix(".npz" if "npz" in container else ".pt")
    path.write_bytes(content)
    with pytest.raises(GraphFormatError, match="pickle|never unpickles|not a file written by torch.save"):
        load_graph(path)
    assert not marker.exists()


def test_external_xml_entities_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    xml = _XXE.replace(b"file:///etc/hostname", secret.as_uri().encode())
    for suffix in (".graphml", ".gexf"):
        path = tmp_path / f"xxe{suffix}"
        path.write_bytes(xml)
        with pytest.raises(GraphFormatError) as info:
            load_graph(path)
        assert "TOP-SECRET" not in str(info.value) and "DOCTYPE" in str(info.value)


def test_every_error_is_a_value_error_too() -> None:
    with pytest.raises(ValueError):
        load_graph_bytes(b"", "empty.csv")
    assert issubclass(GraphFormatError, GtvvizError) and issubclass(ConfigError, GtvvizError)


def test_zip_members_that_unpack_beyond_the_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from gtvviz.data.formats import matrices

    monkeypatch.setattr(matrices, "MAX_FILE_BYTES", 10)
    with pytest.raises(GraphFormatError, match="unpacks to"):
        load_graph_bytes(_npz(**_adjacency()), "bomb.npz")
    assert zipfile.is_zipfile(io.BytesIO(_npz(**_adjacency())))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_damaged_files_raise_graph_format_error_or_load(fmt: str, tmp_path: Path) -> None:
    """Seeded fuzzing: truncations, byte flips, cuts and junk insertions of a valid file."""
    graph = load_graph("les_miserables")
    graph = graph.with_updates(x=torch.ones(graph.num_nodes, 2), y=torch.arange(graph.num_nodes) % 3)
    paths = save_graph(graph, tmp_path / f"g{FORMATS[fmt].extensions[0]}")
    original = paths[0].read_bytes()
    rng = random.Random(fmt)
    for trial in range(40):
        data = bytearray(original)
        at = rng.randrange(len(data))
        if trial % 4 == 0:
            data = data[:at]
        elif trial % 4 == 1:
            for _ in range(rng.randrange(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif trial % 4 == 2:
            del data[at:at + rng.randrange(1, 200)]
        else:
            data[at:at] = bytes(rng.choice(b"0123456789-.,;[]{}<>\"'eE \n\t") for _ in range(rng.randrange(1, 20)))
        try:
            load_graph_bytes(bytes(data), paths[0].name)
        except GraphFormatError:
            pass


def test_a_mistyped_sample_name_lists_the_samples(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="neither a file nor a sample; the samples are karate, "):
        load_graph("karat")
    (tmp_path / "karat").write_text("0,1\n")  # a file of that name is still read (here: no format to infer)
    with pytest.raises(GraphFormatError):
        load_graph(str(tmp_path / "karat"))
