"""The generated search driver: each trial compiles the model with its values.

Runs `neuralgen compile` on a small HPO model, the generated *_search.py for
two trials on synthetic data, then `neuralgen compile --hpo-values best.json`,
whose module must have the chosen width and no search space left.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
NEURALGEN = Path(os.environ.get("NEURALGEN", ROOT / "bin" / "neuralgen"))

MODEL = """network NAME {
  input: (20,)
  layers:
    Dense(HPO(choice(8, 16)), "relu")
    Dropout(HPO(range(0.1, 0.3, step=0.1)))
    Output(3, "softmax")
  loss: "sparse_categorical_crossentropy"
  optimizer: Adam(learning_rate=HPO(log_range(1e-3, 1e-2)))
  train { epochs: 1 batch_size: 32 search_method: "random" trials: 2 seed: 3 }
}
"""


# A module name may end in _search itself: WidthSearch → width_search.py,
# whose driver is width_search_search.py.
@pytest.mark.skipif(not NEURALGEN.exists(), reason="bin/neuralgen not built (run tools/setup.sh)")
@pytest.mark.parametrize("network,module",
                         [("Searched", "searched"), ("WidthSearch", "width_search")])
def test_search_then_pin(tmp_path, network, module):
    src = tmp_path / "searched.neural"
    src.write_text(MODEL.replace("NAME", network))
    gen = tmp_path / "gen"
    subprocess.run([str(NEURALGEN), "compile", "--backend", "pytorch", "-o", str(gen), str(src)],
                   check=True)
    assert (gen / f"{module}_search.py").exists()
    env = dict(os.environ, NEURALGEN=str(NEURALGEN),
               PYTHONPATH=f"{ROOT / 'runtime' / 'python'}:{gen}")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(gen / f"{module}_search.py"), "--source", str(src),
                           "--dataset", "synthetic", "--synthetic-size", "256", "--quiet",
                           "--out", str(out)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    best = json.loads((out / "best.json").read_text())
    assert set(best) == {"dense.units", "dropout.rate", "optimizer.learning_rate"}
    assert best["dense.units"] in (8, 16)

    pinned = tmp_path / "pinned"
    subprocess.run([str(NEURALGEN), "compile", "--backend", "pytorch", "--hpo-values",
                    str(out / "best.json"), "-o", str(pinned), str(src)], check=True)
    code = (pinned / f"{module}.py").read_text()
    assert f"nn.Linear(20, {best['dense.units']}" in code
    assert '"hpo": []' in code
    assert not (pinned / f"{module}_search.py").exists()


def test_search_driver_needs_the_compiler(tmp_path, monkeypatch):
    from rules_neural import hpo

    monkeypatch.delenv("NEURALGEN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    src = tmp_path / "m.neural"
    src.write_text(MODEL.replace("NAME", "Searched"))
    code = hpo.main_compiled({"name": "Searched", "source": str(src), "hpo": [{"name": "x"}]},
                             "Searched", ["--quiet"])
    assert code == 2
