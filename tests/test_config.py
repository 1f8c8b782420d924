import argparse

import pytest

from gtvviz.config import RunConfig
from gtvviz.errors import ConfigError


def test_json_round_trip() -> None:
    config = RunConfig(graph="pyg:Cora", clusters=7, hidden=(64, 32), mlp=(), seed=42, lr=0.01)
    assert RunConfig.from_json(config.to_json()) == config


def test_query_round_trip() -> None:
    config = RunConfig(graph="sbm:sizes=50-50,p_in=0.2", clusters=3, alpha1=0.2, hidden=(16,), seed=7)
    query = config.to_query()
    assert all(isinstance(v, str) for v in query.values()) and query["v"] == "1"
    restored, messages = RunConfig.from_query(query)
    assert restored == config and messages == []


def test_cli_flags_round_trip() -> None:
    parser = argparse.ArgumentParser()
    RunConfig.add_arguments(parser)
    config = RunConfig(clusters=4, delta=0.5, hidden=(8, 8), mlp=(4,), epochs=20, device="cpu")
    argv = [f"--{k}={v}" for k, v in config.to_query().items() if k != "v"]
    assert RunConfig.from_args(parser.parse_args(argv)) == config


@pytest.mark.parametrize(
    "query",
    [{"clusters": "banana"}, {"clusters": "1"}, {"lr": "nan"}, {"lr": "-1"}, {"epochs": "1e9"},
     {"device": "tpu"}, {"hidden": "a,b"}, {"graph": "../../etc/passwd"}, {"graph": "/etc/passwd"}, {"graph": "pyproject.toml"},
     {"graph": "edges.csv"}, {"graph": "C:\\data\\x.csv"},
     {"mystery": "1"}, {"seed": "1.5"}],
)
def test_bad_link_parameters_fall_back_with_a_message(query: dict[str, str]) -> None:
    config, messages = RunConfig.from_query({**query, "alpha1": "0.3"})
    assert len(messages) == 1
    assert config == RunConfig(alpha1=0.3)


def test_strict_constructors_raise() -> None:
    with pytest.raises(ConfigError, match="between"):
        RunConfig(clusters=1)
    with pytest.raises(ConfigError, match="Unknown configuration keys"):
        RunConfig.from_dict({"clusterz": 3})
    with pytest.raises(ConfigError, match="valid JSON"):
        RunConfig.from_json("{")
