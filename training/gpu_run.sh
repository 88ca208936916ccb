#!/usr/bin/env bash
# One bounded training run on a GPU machine that has PyTorch but no fonts: unpacks the assets made by
# `python -m training.pack_assets` (carried as .train-assets.tar.xz), trains from weights/ for
# MINUTES, and exports every improvement to OUT_DIR/crnn.safetensors. If the first attempt dies early
# (e.g. shared memory too small for the loader), it retries once with safer loader settings.
#     [LR=1.5e-3 HALFLIFE=2e6] training/gpu_run.sh OUT_DIR MINUTES [WORKERS [TRAIN ARGS...]]
# (a continuation from already trained weights wants a lower LR and a shorter HALFLIFE; extra
# arguments go to training.train, e.g. `--twin 4=192,b=48` to train a narrower model alongside)
set -uo pipefail
out=$1; minutes=$2; workers=${3:-14}
shift $(( $# < 3 ? $# : 3 ))
cd "$(dirname "$0")/.."
start=$(date +%s)
mkdir -p /tmp/assets && tar xJf .train-assets.tar.xz -C /tmp/assets || exit 1
export DOCVAULT_TRAIN_ASSETS=/tmp/assets PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
nvidia-smi -L; nproc --all; df -h /dev/shm | tail -1
python3 -c "import torch, PIL, fontTools, numpy; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
hours=$(python3 -c "print($minutes / 60)")
python3 -m training.train --device "${DEVICE:-cuda}" --runs /tmp/runs --threads 2 --workers "$workers" --batch 256 \
    --lr "${LR:-1.5e-3}" --lr-halflife "${HALFLIFE:-2e6}" --val-minutes 1.5 --max-hours "$hours" \
    --export-to "$out/crnn.safetensors" "$@" 2>&1 | tee "$out/train.log"
rc=$?
left=$(python3 -c "print(int($minutes * 60 - ($(date +%s) - $start)))")
if [ $rc -ne 0 ] && [ $left -gt 120 ]; then
    echo "first attempt failed (rc $rc); retrying for ${left}s with file_system sharing and 6 workers"
    hours=$(python3 -c "print($left / 3600)")
    python3 -m training.train --device "${DEVICE:-cuda}" --runs /tmp/runs2 --threads 2 --workers 6 --batch 128 \
        --lr "${LR:-1e-3}" --lr-halflife "${HALFLIFE:-2e6}" --val-minutes 1.5 --max-hours "$hours" --sharing file_system \
        --export-to "$out/crnn.safetensors" "$@" 2>&1 | tee "$out/train-retry.log"
    rc=$?
fi
exit $rc
