#!/usr/bin/env bash
# The checks that need a CUDA GPU, in one run: the CUDA tests (tests/test_cuda.py, skipped elsewhere), gtvviz's
# time per epoch and GPU memory on the four citation/co-author graphs, and the 5-seed comparison of the GNN methods
# on CiteSeer and DBLP (too slow for a 2-core CPU: DBLP takes about 3 s per TVGNN epoch there), and the
# 1,000,000-node csbm mini-batched (issue 20's scale run). Spectral clustering
# and k-means need no GPU: run them on a CPU with compare_datasets.py --methods spectral,kmeans, which merges.
#
#   benchmarks/gpu_check.sh DATASETS OUT "an NVIDIA H100"
#
# DATASETS holds PyG's raw layout (a copy of ../shared/datasets; it is copied again to a writable temp dir), OUT
# receives the logs and results, and the third argument names the machine in the reports.
set -u
data_src=$1 out=$2 machine=${3:-"a CUDA GPU"}
mkdir -p "$out"
data=$(mktemp -d) && cp -r "$data_src"/. "$data"/
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=3 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
python=${PYTHON:-python3}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
"$python" -c "import torch, torch_geometric; print('torch', torch.__version__, 'pyg', torch_geometric.__version__)" \
    | tee -a "$out/gpu.txt"

timeout 150 "$python" -m pytest -q -p no:cacheprovider tests/test_cuda.py 2>&1 | tee "$out/cuda_tests.log"

timeout 180 "$python" benchmarks/reference_speed.py --impls gtvviz --device cuda --threads 3 --memory-gb 0 \
    --epochs Cora=500,CiteSeer=500,DBLP=500,Physics=200 --datasets Cora,CiteSeer,DBLP,Physics --data-root "$data" \
    --json "$out/gpu_speed.json" 2>&1 | tee "$out/gpu_speed.log"

"$python" -c "from gtvviz.data import load_graph; [load_graph(s, data_root='$data') for s in ('pyg:CiteSeer', 'pyg:DBLP')]"
# issue 20: the 1,000,000-node csbm mini-batched on one GPU, as on the CPU in benchmarks/results/scale.md
# (NMI, time per epoch and peak memory in its JSON); SCALE_NODES=20000 tries the line on a small graph
timeout 240 "$python" -m gtvviz cluster --clusters 8 --device cuda --json "$out/scale_1m_gpu.json" \
    --graph "csbm:n=${SCALE_NODES:-1000000},blocks=8,degree=10,homophily=0.8,features=32,seed=0" \
    --batch-nodes 20000 --hidden 64,64 --mlp 32 --epochs 10 --lr 0.5 --n-init 1 > "$out/scale_1m_gpu.log" 2>&1 &
for graph in CiteSeer DBLP; do  # processed once above: the processes of one graph share its folder
    timeout 240 "$python" benchmarks/compare_datasets.py --data-root "$data" --graphs "$graph" --seeds 5 --epochs 500 \
        --methods tvgnn,mincut,dmon --jobs 3 --device cuda --machine "$machine" > "$out/compare_$graph.log" 2>&1 &
done
wait
cp benchmarks/results/compare_citeseer.* benchmarks/results/compare_dblp.* "$out"/ 2>/dev/null
tail -n 3 "$out"/compare_*.log
