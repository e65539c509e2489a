#!/usr/bin/env bash
# `n2v train|walk|eval --device cuda` end to end against `--device cpu`: the walks file is
# identical byte for byte (the draws are keyed, the sampler is core::WalkOne on both), and
# embeddings trained on the GPU (Hogwild across warps) score a link-prediction AUC within 0.01 of
# the CPU's on the same split. Skips (exit 77) where no GPU is usable.
# Usage: run_gpu_cli_tests.sh <n2v binary> <source dir>
source "$(dirname "$0")/lib.sh"
# `n2v devices` exits 0 either way; it says "no usable CUDA device" when there is none.
if ! "$N2V" --version | grep -q "CUDA backend built in" ||
   "$N2V" devices 2>&1 | grep -qi "no usable CUDA device"; then
  echo "no usable CUDA device: skipped"
  exit 77
fi
python3 - "$TMP" <<'PY'
import random, sys
rnd = random.Random(5)
# Two-community graph with hubs: 4000 nodes, ~40k weighted edges.
n = 4000
with open(f"{sys.argv[1]}/g.edges", "w") as f:
    for u in range(n):
        for _ in range(10):
            same = rnd.random() < 0.8
            v = rnd.randrange(n // 2) + (u // (n // 2)) * (n // 2) if same else rnd.randrange(n)
            if v != u:
                f.write(f"{u} {v} {rnd.uniform(0.5, 2):.3f}\n")
PY
G=(-i "$TMP/g.edges" --weighted)
W=(--walk-length 30 --num-walks 6 --p 0.5 --q 2 --seed 9)
expect_exit "walk --device cpu" 0 "$N2V" walk "${G[@]}" "${W[@]}" -o "$TMP/cpu.walks" --device cpu --quiet
expect_exit "walk --device cuda" 0 "$N2V" walk "${G[@]}" "${W[@]}" -o "$TMP/gpu.walks" --device cuda --quiet
cmp -s "$TMP/cpu.walks" "$TMP/gpu.walks" && ok "GPU walks file identical to the CPU's" || bad "GPU walks file identical to the CPU's"
expect_exit "train --device cuda" 0 "$N2V" train "${G[@]}" "${W[@]}" -o "$TMP/gpu.w2v" --dim 64 --epochs 2 --device cuda
expect_grep "train says it ran on the GPU" "$TMP/err" "on cuda:"
[ "$(head -1 "$TMP/gpu.w2v")" = "4000 64" ] && ok "GPU embeddings: one row per node" || bad "GPU embeddings: one row per node" "$(head -1 "$TMP/gpu.w2v")"
E=(--dim 64 --epochs 2 --test-fraction 0.2 --json)
expect_exit "eval --device cpu" 0 "$N2V" eval "${G[@]}" "${W[@]}" "${E[@]}" "$TMP/cpu.json" --device cpu --quiet
expect_exit "eval --device cuda" 0 "$N2V" eval "${G[@]}" "${W[@]}" "${E[@]}" "$TMP/gpu.json" --device cuda --quiet
python3 - "$TMP/cpu.json" "$TMP/gpu.json" <<'PY' && ok "GPU link-prediction AUC within 0.01 of the CPU's" || bad "GPU link-prediction AUC within 0.01 of the CPU's" "$(cat "$TMP/cpu.json" "$TMP/gpu.json")"
import json, sys
c = json.load(open(sys.argv[1]))["results"][0]
g = json.load(open(sys.argv[2]))["results"][0]
for k in ("auc_cosine", "auc_hadamard"):
    print(k, c[k], g[k])
    assert abs(c[k] - g[k]) <= 0.01, k
PY
# Checkpoints on the GPU: epoch boundaries, and a GPU checkpoint resumes (on the GPU and the CPU).
expect_exit "GPU train with checkpoints" 0 "$N2V" train "${G[@]}" "${W[@]}" -o "$TMP/ck.w2v" --dim 32 --epochs 2 --device cuda --checkpoint-every 1 --checkpoint-dir "$TMP/ck" --quiet
[ -s "$TMP/ck/epoch-1.ckpt" ] && [ -s "$TMP/ck/epoch-2.ckpt" ] && ok "GPU checkpoint per epoch" || bad "GPU checkpoint per epoch" "$(ls "$TMP/ck")"
expect_exit "GPU checkpoint resumes on the GPU" 0 "$N2V" train "${G[@]}" "${W[@]}" -o "$TMP/r1.w2v" --dim 32 --epochs 2 --device cuda --resume "$TMP/ck/epoch-1.ckpt" --quiet
expect_exit "GPU checkpoint resumes on the CPU" 0 "$N2V" train "${G[@]}" "${W[@]}" -o "$TMP/r2.w2v" --dim 32 --epochs 2 --device cpu --resume "$TMP/ck/epoch-1.ckpt" --quiet
finish
