"""Graph classification with hierarchical pooling: TVGNN's AsymCheegerCut pooling against MinCut, DMoN and none.

Typical use::

    dataset = load_dataset("MUTAG", data_root)
    result = cross_validate(dataset, ClassifyConfig(pool="tvgnn", epochs=100))
    print(result.accuracy, result.accuracy_std)
"""

from gtvviz.classification.datasets import (REFERENCE_POOL_RATIOS, SYNTHETIC, TU_DATASETS, GraphDataset,
                                           laplacian_features, load_dataset, pool_sizes, prepare_graphs)
from gtvviz.classification.models import ClassifierOutput, GraphClassifier, PoolLevel
from gtvviz.classification.pools import POOL_METHODS
from gtvviz.classification.settings import SETTINGS, PoolingSetting, pooling_setting
from gtvviz.classification.synthetic import make_synthetic_graphs
from gtvviz.classification.training import (ClassifierTrainer, ClassifyConfig, CVResult, EpochRecord, FoldResult,
                                            build_classifier, cross_validate, fold_trainer, stratified_splits)

__all__ = [
    "CVResult", "REFERENCE_POOL_RATIOS", "SETTINGS", "SYNTHETIC", "TU_DATASETS", "ClassifierOutput",
    "ClassifierTrainer", "ClassifyConfig", "EpochRecord", "FoldResult", "GraphClassifier", "GraphDataset",
    "POOL_METHODS", "PoolLevel", "PoolingSetting", "build_classifier", "cross_validate", "fold_trainer",
    "laplacian_features", "load_dataset", "make_synthetic_graphs", "pool_sizes", "pooling_setting",
    "prepare_graphs", "stratified_splits",
]
