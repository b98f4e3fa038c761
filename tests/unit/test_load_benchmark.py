"""`parkloop bench load` names where CPU time goes: self time per function (whichever of its lines)
from py-spy's folded stacks, busiest first, without the time workers spend waiting for work."""

from __future__ import annotations

from parkloop.benchmarks.load import top_frames


def test_the_profile_names_the_busiest_functions_by_their_own_samples_without_idle_waits(tmp_path):
    folded = tmp_path / "gateway.folded"
    folded.write_text(
        "\n".join(
            [
                "run (gunicorn/arbiter.py:1);handle (sync.py:2);dumps (json/encoder.py:3) 30",
                "run (gunicorn/arbiter.py:1);handle (sync.py:2);execute (sqlalchemy/engine.py:4) 50",
                "run (gunicorn/arbiter.py:1);handle (sync.py:2);dumps (json/encoder.py:9) 20",
                "run (gunicorn/arbiter.py:1);select (selectors.py:5) 400",
            ]
        )
    )
    assert top_frames(folded) == [
        {"function": "dumps (json/encoder.py)", "share": 0.5},
        {"function": "execute (sqlalchemy/engine.py)", "share": 0.5},
    ]
